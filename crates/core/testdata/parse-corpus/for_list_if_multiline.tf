variable "xs" {
  default = ["a", "b", "c"]
}
output "l" {
  value = [
    for s in var.xs : s
    if s != "a" &&
    s != "b"
  ]
}
