variable "xs" {
  default = ["a", "b", "c"]
}
output "l" {
  value = [for s in
    concat(var.xs,
    ["d"]) :
    s]
}
