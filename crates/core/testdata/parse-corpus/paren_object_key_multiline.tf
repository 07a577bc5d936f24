output "v" {
  value = {
    (
      "k"
    ) = 1
  }
}
