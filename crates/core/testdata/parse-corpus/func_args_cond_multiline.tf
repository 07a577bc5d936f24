output "v" {
  value = max(
    true
    ? 1
    : 2,
    3 *
    4
  )
}
