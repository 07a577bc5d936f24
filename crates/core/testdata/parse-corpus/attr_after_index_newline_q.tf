output "v" {
  value = [true][0]
    ? 1 : 2
}
