# The KMS key (rotation on) and alias for EKS secrets encryption.
include "root" {
  path   = find_in_parent_folders("root.hcl")
  expose = true
}

terraform {
  source = "${get_repo_root()}//modules/kms"
}

inputs = {
  alias_name          = "alias/${include.root.locals.config.eks.cluster_name}-${include.root.locals.env}-eks"
  description         = "EKS secrets encryption (${include.root.locals.env})"
  enable_key_rotation = true
}
