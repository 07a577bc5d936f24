variable "xs" {
  default = ["a", "b", "c"]
}
output "m" {
  value = {
    inner = { for s in var.xs : s =>
      s == "a" ? 1 :
      2 }
    after = "x"
  }
}
