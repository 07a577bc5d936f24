variable "xs" {
  default = ["a", "b", "c"]
}
output "m" {
  value = {
    for s in var.xs : s => {
      name  = s
      first = s == "a" ? true : false
    }
  }
}
