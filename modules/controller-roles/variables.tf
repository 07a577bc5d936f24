variable "oidc_provider_arn" {
  description = "The ARN of the cluster's aws_iam_openid_connect_provider."
  type        = string
}

variable "oidc_issuer" {
  description = "The cluster's OIDC issuer URL (with or without https://)."
  type        = string
}

variable "controllers" {
  description = <<-EOT
    The platform controllers, by kind: `kro` may assume the spoke provisioner role in spoke
    accounts, `ack-<service>` manages that service (ec2, iam, eks). Each gets one role trusting
    exactly its service account.
  EOT
  type = map(object({
    role_name       = string
    namespace       = string
    service_account = string
  }))
}

variable "spoke_provisioner_role_name" {
  description = "The role in each spoke account that KRO assumes to build spokes."
  type        = string
  default     = "spoke-provisioner"
}

variable "tags" {
  type    = map(string)
  default = {}
}
