variable "xs" {
  default = ["a", "b", "c"]
}
output "m" {
  value = { for i, s in var.xs : s => i *
    10 +
    1 }
}
