# The whole hub against AWS (or, locally, the moto emulator: scripts/demo.sh sets
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

variable "cluster_version" {
  type    = string
  default = "1.33"
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

module "hub" {
  source = "../../modules/hub"

  environment     = var.environment
  azs             = slice(sort(data.aws_availability_zones.available.names), 0, 3)
  cluster_version = var.cluster_version
  node_scaling    = { desired = 2, min = 2, max = 4 }
}

output "cluster_name" {
  value = module.hub.cluster_name
}

output "cluster_endpoint" {
  value = module.hub.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  value = module.hub.cluster_certificate_authority_data
}

output "oidc_issuer" {
  value = module.hub.oidc_issuer
}

output "oidc_provider_arn" {
  value = module.hub.oidc_provider_arn
}

output "controller_role_arns" {
  value = module.hub.controller_role_arns
}

output "vpc_id" {
  value = module.hub.vpc_id
}

output "private_subnet_ids" {
  value = module.hub.private_subnet_ids
}
