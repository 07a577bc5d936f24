variable "xs" {
  default = ["a", "b", "c"]
}
locals {
  m = {
    for s in var.xs :
      s =>
      s == "a" ? "first" :
                 "other"
  }
}
output "m" { value = local.m }
