variable "xs" {
  default = ["a", "b", "c"]
}
output "v" {
  value = "%{ if
    length(var.xs)
    > 1 }many%{ else }one%{ endif }"
}
