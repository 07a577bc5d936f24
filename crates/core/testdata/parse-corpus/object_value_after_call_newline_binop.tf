output "v" {
  value = {
    a = max(1, 2)
    * 3
  }
}
