output "key_arn" {
  description = "The key's ARN (for encryption_config { provider { key_arn } })."
  value       = aws_kms_key.this.arn
}

output "key_id" {
  value = aws_kms_key.this.key_id
}

output "alias" {
  description = "The alias's name, alias/ included."
  value       = aws_kms_alias.this.name
}
