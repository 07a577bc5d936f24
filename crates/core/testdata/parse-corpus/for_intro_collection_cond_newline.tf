variable "xs" {
  default = ["a", "b", "c"]
}
output "l" {
  value = [for s in length(var.xs) > 2
    ? var.xs
    : [] : s]
}
