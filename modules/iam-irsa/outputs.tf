output "role_arn" {
  description = "The role's ARN (the eks.amazonaws.com/role-arn annotation of the service account)."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  value = aws_iam_role.this.name
}

output "trust_policy" {
  description = "The rendered trust policy."
  value       = data.aws_iam_policy_document.trust.json
}
