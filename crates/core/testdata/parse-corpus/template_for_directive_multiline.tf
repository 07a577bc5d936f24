variable "xs" {
  default = ["a", "b", "c"]
}
output "v" {
  value = "%{ for s in
    var.xs }<${s}>%{ endfor }"
}
