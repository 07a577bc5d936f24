# The KMS key (rotation on) and alias for EKS secrets encryption.
include "root" {
  path   = find_in_parent_folders("root.hcl")
  expose = true
}

terraform {
  source = "${get_repo_root()}//modules/kms"
}

inputs = {
  alias       = "${include.root.locals.config.eks.cluster_name}-${include.root.locals.env}-eks-secrets"
  description = "EKS secrets encryption (${include.root.locals.env})"
}
