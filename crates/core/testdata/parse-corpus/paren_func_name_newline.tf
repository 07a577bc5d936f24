output "v" {
  value = (max
  (1, 2))
}
