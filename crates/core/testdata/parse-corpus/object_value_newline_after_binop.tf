output "v" {
  value = {
    a = 1 +
    2
  }
}
