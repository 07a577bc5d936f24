variable "xs" {
  default = ["a", "b", "c"]
}
output "l" {
  value = [for s in var.xs : length(s)
    * 2
    - 1]
}
