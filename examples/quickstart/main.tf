# A tour of hubctl without any cloud: the hub's address plan, computed the way the real
# network module does it, held in terraform_data resources.

terraform {
  backend "local" {
    path = ".hubctl/state.json"
  }
}

variable "vpc_cidr" {
  type        = string
  default     = "10.0.0.0/16"
  description = "The hub VPC's address range."

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a valid IPv4 CIDR block, like 10.0.0.0/16."
  }
}

variable "azs" {
  type    = list(string)
  default = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "environment" {
  type    = string
  default = "staging"
}

locals {
  name = "hub-${var.environment}"
  tags = {
    Environment = var.environment
    ManagedBy   = "hubctl"
  }
}

resource "terraform_data" "vpc" {
  input = {
    cidr_block = var.vpc_cidr
    tags       = merge(local.tags, { Name = local.name })
  }
}

module "subnets" {
  source   = "./modules/subnet-plan"
  vpc_cidr = terraform_data.vpc.output.cidr_block
  azs      = var.azs
}

resource "terraform_data" "nat_gateway" {
  for_each = toset(var.azs)
  input = {
    az     = each.key
    subnet = module.subnets.public[each.key]
  }
  triggers_replace = module.subnets.public[each.key]
}

resource "terraform_data" "spoke" {
  count = 2
  input = cidrsubnet("10.0.0.0/8", 8, count.index + 1)
}

output "public_subnets" {
  value = module.subnets.public
}

output "private_subnets" {
  value = module.subnets.private
}

output "nat_gateways" {
  value = { for az, nat in terraform_data.nat_gateway : az => nat.output.subnet }
}

output "spoke_cidrs" {
  value = terraform_data.spoke[*].output
}
