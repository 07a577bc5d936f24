variable "xs" {
  default = ["a", "b", "c"]
}
output "l" {
  value = [for n in [1, 2][0]
    + 1 > 1 ? [1] : [] : n]
}
