locals {
  k = "dyn"
}
output "v" {
  value = {
    a = [1, 2]
    (local.k) = 3
    b = max(1, 2)
    (local.k == "x" ? "p" : "q") = 4
  }
}
