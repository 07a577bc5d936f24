variable "xs" {
  default = ["a", "b", "c"]
}
output "v" {
  value = var.xs[true
  ? 0 : 1]
}
