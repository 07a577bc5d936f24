variable "xs" {
  default = ["a", "b", "c"]
}
output "v" {
  value = (
    length(var.xs) > 2
    ? "many"
    : "few"
  )
}
