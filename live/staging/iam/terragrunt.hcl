# IRSA roles for the hub's controllers, each trusting only its own service account through
# the cluster's OIDC provider.
include "root" {
  path   = find_in_parent_folders("root.hcl")
  expose = true
}

terraform {
  source = "${get_repo_root()}//modules/controller-roles"
}

dependency "eks" {
  config_path = "../eks"
}

inputs = {
  oidc_provider_arn = dependency.eks.outputs.oidc_provider_arn
  oidc_issuer       = dependency.eks.outputs.oidc_issuer
  controllers       = include.root.locals.config.controllers
}
