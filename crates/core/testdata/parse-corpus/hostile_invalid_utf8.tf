locals {
  a = "ok"
  b = "ÿþ"
}

output "a" {
  value = local.a
}
