variable "xs" {
  default = ["a", "b", "c"]
}
output "m" {
  value = {
    for
    k
    ,
    v
    in
    var.xs
    :
    v
    =>
    k
  }
}
