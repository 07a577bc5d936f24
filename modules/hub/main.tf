# The hub of the hub-spoke platform: the network, the KMS key for EKS secrets, the EKS
# cluster with its node group and OIDC provider, and one IRSA role per platform controller.
# Its outputs are what the ArgoCD bootstrap needs.

locals {
  prefix       = "${var.name}-${var.environment}"
  cluster_name = local.prefix

  # One IRSA role per controller kind, trusting exactly its service account.
  controllers = {
    kro = {
      role_name       = "hub-kro-controller-role"
      namespace       = "kro-system"
      service_account = "kro"
    }
    ack-iam = {
      role_name       = "hub-ack-iam-controller-role"
      namespace       = "ack-system"
      service_account = "ack-iam-controller"
    }
    ack-eks = {
      role_name       = "hub-ack-eks-controller-role"
      namespace       = "ack-system"
      service_account = "ack-eks-controller"
    }
    ack-ec2 = {
      role_name       = "hub-ack-ec2-controller-role"
      namespace       = "ack-system"
      service_account = "ack-ec2-controller"
    }
  }
}

module "vpc" {
  source = "../vpc"

  name         = local.prefix
  cidr_block   = var.cidr_block
  azs          = var.azs
  cluster_name = local.cluster_name
  tags         = var.tags
}

module "kms" {
  source = "../kms"

  alias       = "${local.prefix}-eks-secrets"
  description = "EKS secrets encryption for ${local.cluster_name}"
  tags        = var.tags
}

module "eks" {
  source = "../eks"

  cluster_name           = local.cluster_name
  cluster_version        = var.cluster_version
  private_subnet_ids     = [for az in var.azs : module.vpc.private_subnet_ids[az]]
  kms_key_arn            = module.kms.key_arn
  endpoint_public_access = var.endpoint_public_access
  node_instance_types    = var.node_instance_types
  node_scaling           = var.node_scaling
  tags                   = var.tags
}

module "controllers" {
  source = "../controller-roles"

  controllers                 = local.controllers
  oidc_provider_arn           = module.eks.oidc_provider_arn
  oidc_issuer                 = module.eks.oidc_issuer
  spoke_provisioner_role_name = var.spoke_provisioner_role_name
  tags                        = var.tags
}
