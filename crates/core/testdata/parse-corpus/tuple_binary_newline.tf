output "v" {
  value = [1 +
    2, 3
    * 4]
}
