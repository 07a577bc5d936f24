variable "xs" {
  default = ["a", "b", "c"]
}
output "v" {
  value = {
    a = (true
      ? 1
    : 2)
    b = 3
  }
}
