variable "cluster_name" {
  description = "Name of the EKS cluster (and prefix of its IAM roles)."
  type        = string
}

variable "cluster_version" {
  description = "Kubernetes version; a change upgrades the cluster in place."
  type        = string
  default     = "1.33"
}

variable "private_subnet_ids" {
  description = "Private subnets (in at least two AZs) for the control plane and the nodes."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key that encrypts Kubernetes secrets; a change replaces the cluster."
  type        = string
}

variable "endpoint_public_access" {
  type    = bool
  default = true
}

variable "public_access_cidrs" {
  type    = list(string)
  default = ["0.0.0.0/0"]
}

variable "node_instance_types" {
  type    = list(string)
  default = ["t3.large"]
}

variable "node_scaling" {
  type = object({
    desired = number
    min     = number
    max     = number
  })
  default = { desired = 2, min = 1, max = 3 }
}

variable "tags" {
  type    = map(string)
  default = {}
}
