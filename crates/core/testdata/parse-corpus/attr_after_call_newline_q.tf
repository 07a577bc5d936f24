output "v" {
  value = tobool(true)
    ? 1 : 2
}
