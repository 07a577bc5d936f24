# Shaped like an EKS add-ons/Helm values module: splats, nested ternaries, try(), yaml values.
variable "environment" {
  type    = string
  default = "prod"
}

variable "addons" {
  type = list(object({
    name    = string
    version = string
    enabled = optional(bool, true)
    values  = optional(map(map(string)), {})
  }))
  default = [
    { name = "coredns", version = "v1.11.1" },
    { name = "kube-proxy", version = "v1.29.0" },
    { name = "vpc-cni", version = "v1.18.0", values = { env = { ENABLE_PREFIX_DELEGATION = "true" } } },
    { name = "aws-ebs-csi-driver", version = "v1.30.0", enabled = false },
  ]
}

locals {
  enabled = [for a in var.addons : a if a.enabled]

  names    = local.enabled[*].name
  versions = var.addons.*.version

  replicas = (
    var.environment == "prod" ? 3 :
    var.environment == "staging" ? 2 :
    1
  )

  addon_config = {
    for a in local.enabled : a.name => {
      version = a.version
      config = length(a.values) > 0 ? jsonencode(a.values) : null
      resolve_conflicts = (
        startswith(a.name, "aws-")
        || a.name == "vpc-cni"
        ? "OVERWRITE"
        : "PRESERVE"
      )
    }
  }

  coredns_values = yamlencode({
    replicaCount = local.replicas
    tolerations = [
      for k in ["CriticalAddonsOnly"] : {
        key      = k
        operator = "Exists"
      }
    ]
    resources = {
      limits = {
        memory = (
          local.replicas > 2
          ? "256Mi"
          : "170Mi"
        )
      }
    }
  })

  prefix_delegation = try(
    [for a in var.addons : a.values.env.ENABLE_PREFIX_DELEGATION if a.name == "vpc-cni"][0],
    "false"
  )

  banner = "Add-ons for ${var.environment}: %{ for i, n in local.names }${i > 0 ? ", " : ""}${n}%{ endfor }."
}

output "names" {
  value = local.names
}

output "versions" {
  value = local.versions
}

output "replicas" {
  value = local.replicas
}

output "addon_config" {
  value = local.addon_config
}

output "coredns_values" {
  value = local.coredns_values
}

output "prefix_delegation" {
  value = local.prefix_delegation
}

output "banner" {
  value = local.banner
}
