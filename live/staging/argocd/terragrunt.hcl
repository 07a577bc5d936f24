# ArgoCD in the hub cluster: the install, the hub-bootstrap app of apps and the spoke-fleet
# ApplicationSet over config/spokes/*.yaml. The kubernetes provider is generated beside the
# module and configured from the eks unit's outputs, known only once the cluster exists.
include "root" {
  path   = find_in_parent_folders("root.hcl")
  expose = true
}

terraform {
  source = "${get_repo_root()}//modules/argocd-bootstrap"
}

dependency "eks" {
  config_path = "../eks"
}

dependency "network" {
  config_path = "../network"
}

dependency "iam" {
  config_path = "../iam"
}

generate "kubernetes" {
  path      = "kubernetes.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<-EOF
    variable "cluster_endpoint" {
      type = string
    }

    variable "cluster_ca_data" {
      type = string
    }

    data "aws_eks_cluster_auth" "this" {
      name = var.hub.cluster_name
    }

    provider "kubernetes" {
      host                   = var.cluster_endpoint
      cluster_ca_certificate = base64decode(var.cluster_ca_data)
      token                  = data.aws_eks_cluster_auth.this.token
    }
  EOF
}

inputs = {
  cluster_endpoint = dependency.eks.outputs.cluster_endpoint
  cluster_ca_data  = dependency.eks.outputs.cluster_certificate_authority_data
  namespace        = include.root.locals.config.argocd.namespace
  git_url          = include.root.locals.config.argocd.repo_url
  git_revision     = include.root.locals.config.argocd.revision
  hub = {
    cluster_name = dependency.eks.outputs.cluster_name
    region       = include.root.locals.config.region
    vpc_id       = dependency.network.outputs.vpc_id
    environment  = include.root.locals.env
  }
  ack_role_arns = {
    for kind, arn in dependency.iam.outputs.role_arns : trimprefix(kind, "ack-") => arn if startswith(kind, "ack-")
  }
}
