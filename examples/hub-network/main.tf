# The hub network against AWS (or, locally, the moto emulator: scripts/demo.sh sets
# AWS_ENDPOINT_URL, dummy credentials and AWS_EC2_METADATA_DISABLED=true).

terraform {
  backend "local" {
    path = ".hubctl/state.json"
  }
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "environment" {
  type    = string
  default = "staging"
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "hub"
      Environment = var.environment
      ManagedBy   = "hubctl"
    }
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

module "vpc" {
  source = "../../modules/vpc"

  name         = "hub-${var.environment}"
  cidr_block   = "10.0.0.0/16"
  azs          = slice(sort(data.aws_availability_zones.available.names), 0, 3)
  cluster_name = "hub-${var.environment}"
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

output "nat_gateway_ids" {
  value = module.vpc.nat_gateway_ids
}
