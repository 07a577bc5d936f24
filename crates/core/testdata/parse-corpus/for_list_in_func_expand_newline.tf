variable "xs" {
  default = ["a", "b", "c"]
}
output "m" {
  value = merge(
    [for s in var.xs : { (s) = length(s) }]
    ...
  )
}
