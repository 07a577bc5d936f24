variable "xs" {
  default = ["a", "b", "c"]
}
output "v" {
  value = (
    var.xs[0] == "b" ? "b" :
    var.xs[0] == "a" ? "a" :
    "none"
  )
}
