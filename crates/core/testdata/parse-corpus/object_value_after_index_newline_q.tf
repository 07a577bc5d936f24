output "v" {
  value = {
    a = [true][0]
    ? 1 : 2
  }
}
