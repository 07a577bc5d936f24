variable "xs" {
  default = ["a", "b", "c"]
}
output "m" {
  value = {
    for s in concat(var.xs, ["a"]) :
    s => upper(s)
    ...
  }
}
