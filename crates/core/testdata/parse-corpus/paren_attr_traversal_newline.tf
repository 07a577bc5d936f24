locals {
  o = { a = { b = "deep" } }
}
output "v" {
  value = (local.o
    .a
    .b)
}
