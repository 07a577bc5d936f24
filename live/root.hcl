# Included by every unit (live/<env>/<unit>/terragrunt.hcl). The environment comes from the
# env.hcl above the unit; the platform configuration is config/config.yaml overlaid with
# config/environments/<env>.yaml (overlay_merge: maps merge, lists and scalars replace).
locals {
  env_vars = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  env      = local.env_vars.locals.env
  config = overlay_merge(
    yamldecode(file("${get_repo_root()}/config/config.yaml")),
    yamldecode(file("${get_repo_root()}/config/environments/${local.env}.yaml")),
  )
}

# One state object per unit, in the environment's bucket, encrypted with the state key.
remote_state {
  backend = "s3"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
  config = {
    bucket         = local.config.state.bucket
    key            = "${path_relative_to_include()}/terraform.tfstate"
    region         = local.config.region
    encrypt        = true
    kms_key_id     = local.config.state.kms_key
    dynamodb_table = local.config.state.lock_table
  }
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<-EOF
    provider "aws" {
      region = "${local.config.region}"

      default_tags {
        tags = {
    %{~for k, v in local.config.tags}
          "${k}" = "${v}"
    %{~endfor}
        }
      }
    }
  EOF
}
