variable "xs" {
  default = ["a", "b", "c"]
}
output "v" {
  value = "x${
    length(var.xs) > 1
    ? "many"
    : "one"
  }y"
}
