variable "xs" {
  default = ["a", "b", "c"]
}
output "m" {
  value = {
    for s in var.xs :
    s => s == "a" ? "first" : # the rest
    "other"
  }
}
