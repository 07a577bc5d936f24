variable "xs" {
  default = ["a", "b", "c"]
}
output "v" {
  value = (var.xs
    [1])
}
