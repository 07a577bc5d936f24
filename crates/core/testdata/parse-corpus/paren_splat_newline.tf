locals {
  l = [{ n = 1 }, { n = 2 }]
}
output "v" {
  value = (local.l
    [*]
    .n)
}
