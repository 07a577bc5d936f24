variable "xs" {
  default = ["a", "b", "c"]
}
output "l" {
  value = [for s in var.xs : {
    v = s == "a" ? 1 :
    2
  }]
}
