variable "xs" {
  default = ["a", "b", "c"]
}
output "v" {
  value = length([for s in var.xs : s])
    + 1
}
