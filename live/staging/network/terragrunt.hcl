# The hub VPC: public and private subnets in each AZ, one NAT gateway per AZ.
include "root" {
  path   = find_in_parent_folders("root.hcl")
  expose = true
}

terraform {
  source = "${get_repo_root()}//modules/vpc"
}

inputs = {
  name         = "${include.root.locals.config.name}-${include.root.locals.env}"
  cidr_block   = include.root.locals.config.network.vpc_cidr
  azs          = include.root.locals.config.network.azs
  cluster_name = "${include.root.locals.config.eks.cluster_name}-${include.root.locals.env}"
}
