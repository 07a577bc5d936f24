variable "alias" {
  description = "The alias's name without the alias/ prefix (e.g. hub-eks-secrets)."
  type        = string
}

variable "description" {
  description = "What the key is for."
  type        = string
  default     = "EKS secrets encryption"
}

variable "deletion_window_in_days" {
  description = "How long AWS keeps the key after a destroy before deleting it (7 to 30 days)."
  type        = number
  default     = 7
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}
