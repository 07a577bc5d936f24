# Shaped like a VPC module: subnets per AZ and tier, route tables and NAT placement.
variable "cidr" {
  type    = string
  default = "10.20.0.0/16"
}

variable "azs" {
  type    = list(string)
  default = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "single_nat_gateway" {
  type    = bool
  default = false
}

variable "tiers" {
  type = map(object({
    newbits = number
    offset  = number
    public  = optional(bool, false)
  }))
  default = {
    public  = { newbits = 8, offset = 0, public = true }
    private = { newbits = 4, offset = 1 }
    intra   = { newbits = 8, offset = 200 }
  }
}

locals {
  subnets = merge([
    for tier, t in var.tiers : {
      for i, az in var.azs :
      "${tier}-${az}" => {
        tier = tier
        az   = az
        cidr = cidrsubnet(
          var.cidr,
          t.newbits,
          t.offset + i
        )
        public = t.public
      }
    }
  ]...)

  nat_azs = (
    var.single_nat_gateway
    ? slice(var.azs, 0, 1)
    : var.azs
  )

  private_routes = {
    for key, s in local.subnets :
      key =>
      s.public ? "igw" :
      contains(local.nat_azs, s.az) ? "nat-${s.az}" :
                                      "nat-${local.nat_azs[0]}"
    if s.tier != "intra"
  }

  public_subnet_ids = [
    for key, s in local.subnets : key
    if s.public
  ]

  tags = {
    for key, s in local.subnets : key => merge(
      { Name = "vpc-${key}", Tier = s.tier },
      s.public
      ? { "kubernetes.io/role/elb" = "1" }
      : { "kubernetes.io/role/internal-elb" = "1" },
    )
  }

  summary = join("\n", [
    for key in sort(keys(local.subnets)) :
    format("%-24s %s",
      key,
    local.subnets[key].cidr)
  ])
}

output "subnets" {
  value = local.subnets
}

output "private_routes" {
  value = local.private_routes
}

output "public_subnet_ids" {
  value = local.public_subnet_ids
}

output "tags" {
  value = local.tags
}

output "summary" {
  value = local.summary
}

output "cidrs_by_tier" {
  value = {
    for key, s in local.subnets : s.tier => s.cidr...
  }
}
