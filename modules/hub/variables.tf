variable "name" {
  description = "The hub's name: prefix of the VPC, the cluster and the key alias."
  type        = string
  default     = "hub"
}

variable "environment" {
  description = "The environment (staging, prod); part of every name and a tag."
  type        = string
}

variable "cidr_block" {
  description = "The hub VPC's CIDR block. Spoke VPCs are 10.N.0.0/16 and must not overlap it."
  type        = string
  default     = "10.0.0.0/16"
}

variable "azs" {
  description = "Availability zones: one public and one private subnet and one NAT gateway each."
  type        = list(string)
  default     = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "cluster_version" {
  description = "The EKS Kubernetes version."
  type        = string
  default     = "1.33"
}

variable "endpoint_public_access" {
  description = "Whether the cluster's API endpoint is reachable from the internet."
  type        = bool
  default     = true
}

variable "node_instance_types" {
  type    = list(string)
  default = ["m6i.large"]
}

variable "node_scaling" {
  description = "The node group's desired, min and max sizes."
  type        = object({ desired = number, min = number, max = number })
  default     = { desired = 3, min = 3, max = 6 }
}

variable "spoke_provisioner_role_name" {
  description = "The role in each spoke account that KRO's controller assumes to build spokes."
  type        = string
  default     = "spoke-provisioner"
}

variable "tags" {
  type    = map(string)
  default = {}
}
