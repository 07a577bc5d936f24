output "role_arns" {
  description = "Each controller's role ARN, by kind (kro, ack-iam, ...)."
  value       = { for k, m in module.irsa : k => m.role_arn }
}

output "role_names" {
  value = { for k, m in module.irsa : k => m.role_name }
}
