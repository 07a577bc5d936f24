variable "xs" {
  default = ["a", "b", "c"]
}
output "v" {
  value = <<-EOT
    %{~ for i, s in var.xs ~}
    ${i}: ${s == "a"
      ? "first"
      : s}
    %{~ if i < 1 }
    more
    %{~ endif }
    %{ endfor ~}
    end
  EOT
}
