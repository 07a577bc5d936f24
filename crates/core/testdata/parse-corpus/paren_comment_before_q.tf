output "v" {
  value = (true # why
    ? 1 // other
    : 2)
}
