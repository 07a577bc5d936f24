output "v" {
  value = [(-
    1), (!
  false)]
}
