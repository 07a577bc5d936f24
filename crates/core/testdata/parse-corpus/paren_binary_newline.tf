variable "xs" {
  default = ["a", "b", "c"]
}
output "v" {
  value = (1
    + 2
    *
    3)
}
