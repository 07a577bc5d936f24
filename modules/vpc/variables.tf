variable "name" {
  type        = string
  default     = "hub"
  description = "Name prefix for every network object."
}

variable "cidr_block" {
  type        = string
  default     = "10.0.0.0/16"
  description = "The hub VPC's range; public subnets take /24s 1-3, private ones 101-103."

  validation {
    condition     = can(cidrnetmask(var.cidr_block)) && tonumber(split("/", var.cidr_block)[1]) <= 16
    error_message = "cidr_block must be an IPv4 CIDR block of /16 or larger, like 10.0.0.0/16."
  }
}

variable "azs" {
  type        = list(string)
  description = "Availability zones, one public and one private subnet (and one NAT gateway) each."

  validation {
    condition     = length(var.azs) >= 1 && length(var.azs) <= 6
    error_message = "Between one and six availability zones are supported."
  }
}

variable "cluster_name" {
  type        = string
  default     = "hub"
  description = "The EKS cluster that uses these subnets (for the kubernetes.io/cluster tag)."
}

variable "tags" {
  type        = map(string)
  default     = {}
  description = "Tags for every object, besides the provider's default_tags."
}
