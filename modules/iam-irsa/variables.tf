variable "oidc_provider_arn" {
  description = "The ARN of the cluster's aws_iam_openid_connect_provider."
  type        = string
}

variable "oidc_issuer" {
  description = "The cluster's OIDC issuer, without https:// (oidc.eks.<region>.amazonaws.com/id/<ID>)."
  type        = string
}

variable "namespace" {
  description = "The service account's namespace."
  type        = string
}

variable "service_account" {
  description = "The service account's name."
  type        = string
}

variable "role_name" {
  description = "The role's name."
  type        = string
}

variable "path" {
  type    = string
  default = "/"
}

variable "policy_json" {
  description = "An inline policy for the role (JSON), or null for none."
  type        = string
  default     = null
}

variable "managed_policy_arns" {
  description = "Managed policies to attach."
  type        = list(string)
  default     = []
}

variable "max_session_duration" {
  type    = number
  default = 3600
}

variable "tags" {
  type    = map(string)
  default = {}
}
