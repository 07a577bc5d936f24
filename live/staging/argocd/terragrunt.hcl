# ArgoCD in the hub cluster: the install, the hub-bootstrap app of apps and the spoke-fleet
# ApplicationSet over config/spokes/*.yaml.
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

dependency "iam" {
  config_path = "../iam"
}

inputs = {
  cluster_name           = dependency.eks.outputs.cluster_name
  cluster_endpoint       = dependency.eks.outputs.cluster_endpoint
  cluster_ca_certificate = dependency.eks.outputs.cluster_ca_certificate
  irsa_role_arns         = dependency.iam.outputs.role_arns
  namespace              = include.root.locals.config.argocd.namespace
  repo_url               = include.root.locals.config.argocd.repo_url
  revision               = include.root.locals.config.argocd.revision
  spokes_path            = include.root.locals.config.argocd.spokes_path
}
