variable "xs" {
  default = ["a", "b", "c"]
}
output "v" {
  value = var.xs[
    length(var.xs)
    - 1
  ]
}
