variable "xs" {
  default = ["a", "b", "c"]
}
output "l" {
  value = [for s in var.xs : {
    name = s
    big  = upper(s)
  }]
}
