# The EKS cluster in the private subnets, secrets encrypted with the kms unit's key, its
# managed node group and OIDC provider. Dependency outputs flow in as values: on a
# never-applied environment they are known after apply, so no mocks are needed to plan.
include "root" {
  path   = find_in_parent_folders("root.hcl")
  expose = true
}

terraform {
  source = "${get_repo_root()}//modules/eks"
}

dependency "network" {
  config_path = "../network"
}

dependency "kms" {
  config_path = "../kms"
}

inputs = {
  cluster_name           = "${include.root.locals.config.eks.cluster_name}-${include.root.locals.env}"
  cluster_version        = include.root.locals.config.eks.version
  endpoint_public_access = include.root.locals.config.eks.endpoint_public_access
  node_instance_types    = include.root.locals.config.eks.node_group.instance_types
  node_scaling = {
    desired = include.root.locals.config.eks.node_group.desired_size
    min     = include.root.locals.config.eks.node_group.min_size
    max     = include.root.locals.config.eks.node_group.max_size
  }
  private_subnet_ids = values(dependency.network.outputs.private_subnet_ids)
  kms_key_arn        = dependency.kms.outputs.key_arn
}
