output "v" {
  value = true ?
    1 : 2
}
