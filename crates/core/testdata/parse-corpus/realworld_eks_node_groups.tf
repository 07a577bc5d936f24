# Shaped like an EKS module: managed node groups built from defaults and per-group overrides.
variable "cluster_name" {
  type    = string
  default = "hub"
}

variable "node_groups" {
  type = map(object({
    instance_types = optional(list(string))
    min_size       = optional(number)
    max_size       = optional(number)
    capacity_type  = optional(string, "ON_DEMAND")
    labels         = optional(map(string), {})
    taints = optional(list(object({
      key    = string
      value  = optional(string)
      effect = string
    })), [])
    disk_size = optional(number)
  }))
  default = {
    system = {
      min_size = 2
      labels   = { role = "system" }
      taints   = [{ key = "CriticalAddonsOnly", effect = "NO_SCHEDULE" }]
    }
    workers = {
      instance_types = ["m6i.xlarge", "m6a.xlarge"]
      capacity_type  = "SPOT"
      max_size       = 10
    }
    gpu = {
      instance_types = ["g5.xlarge"]
      min_size       = 0
      disk_size      = 200
      labels         = { "nvidia.com/gpu" = "true" }
    }
  }
}

variable "defaults" {
  type = object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    disk_size      = number
  })
  default = {
    instance_types = ["m6i.large"]
    min_size       = 1
    max_size       = 3
    disk_size      = 50
  }
}

locals {
  node_groups = {
    for name, ng in var.node_groups :
    name => {
      name = "${var.cluster_name}-${name}"
      instance_types = (
        ng.instance_types != null
        ? ng.instance_types
        : var.defaults.instance_types
      )
      scaling = {
        min     = coalesce(ng.min_size, var.defaults.min_size)
        max     = coalesce(ng.max_size, var.defaults.max_size)
        desired = max(coalesce(ng.min_size, var.defaults.min_size), 1)
      }
      disk_size = ng.disk_size == null ? var.defaults.disk_size : ng.disk_size
      spot      = ng.capacity_type == "SPOT"
      labels = merge(
        { "node-group" = name },
        ng.labels,
      )
      taints = [
        for t in ng.taints : {
          key    = t.key
          value  = t.value
          effect = t.effect
        }
      ]
    }
  }

  # Groups that take general workloads: no taints, and not the GPU pool.
  general_groups = [
    for name, ng in local.node_groups : name
    if length(ng.taints) == 0 &&
    !contains(keys(ng.labels), "nvidia.com/gpu")
  ]

  instance_class = {
    for name, ng in local.node_groups :
      name =>
      startswith(ng.instance_types[0], "g") ? "gpu" :
      ng.spot ? "spot" :
                "on-demand"
  }

  by_capacity = {
    for name, ng in local.node_groups :
    (ng.spot ? "spot" : "on_demand") => name...
  }

  all_instance_types = sort(distinct(flatten([
    for ng in values(local.node_groups) : ng.instance_types
  ])))

  bootstrap = {
    for name, ng in local.node_groups : name => <<-EOT
      #!/bin/bash
      /etc/eks/bootstrap.sh ${var.cluster_name} \
        --kubelet-extra-args '--node-labels=%{ for k, v in ng.labels }${k}=${v},%{ endfor }eks/group=${name}'
      %{~ if ng.spot }
      echo spot
      %{~ else }
      echo on-demand
      %{~ endif }
    EOT
  }
}

output "node_groups" {
  value = local.node_groups
}

output "general_groups" {
  value = local.general_groups
}

output "instance_class" {
  value = local.instance_class
}

output "by_capacity" {
  value = local.by_capacity
}

output "all_instance_types" {
  value = local.all_instance_types
}

output "bootstrap" {
  value = local.bootstrap
}

output "max_nodes" {
  value = sum([for ng in values(local.node_groups) : ng.scaling.max])
}
