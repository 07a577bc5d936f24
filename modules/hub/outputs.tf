output "cluster_name" {
  value = module.eks.cluster_name
}

output "cluster_endpoint" {
  value = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "The cluster's CA bundle, base64 (kubernetes provider: base64decode it)."
  value       = module.eks.cluster_certificate_authority_data
}

output "oidc_issuer" {
  value = module.eks.oidc_issuer
}

output "oidc_provider_arn" {
  value = module.eks.oidc_provider_arn
}

output "controller_role_arns" {
  description = "The IRSA role ARN of each controller (kro, ack-iam, ack-eks, ack-ec2)."
  value       = module.controllers.role_arns
}

output "cluster_role_arn" {
  value = module.eks.cluster_role_arn
}

output "node_role_arn" {
  value = module.eks.node_role_arn
}

output "kms_key_arn" {
  value = module.kms.key_arn
}

output "vpc_id" {
  value = module.vpc.vpc_id
}

output "private_subnet_ids" {
  value = module.vpc.private_subnet_ids
}

output "public_subnet_ids" {
  value = module.vpc.public_subnet_ids
}
