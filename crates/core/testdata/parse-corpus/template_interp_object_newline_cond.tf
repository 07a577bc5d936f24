output "v" {
  value = "${{
    a = true
    ? 1 : 2
  }.a}"
}
