# Public 10.0.1-3.0/24 and private 10.0.101-103.0/24, keyed by availability zone.

variable "vpc_cidr" {
  type = string
}

variable "azs" {
  type = list(string)

  validation {
    condition     = length(var.azs) > 0 && length(var.azs) <= 6
    error_message = "Between one and six availability zones are supported."
  }
}

resource "terraform_data" "public" {
  for_each = { for i, az in var.azs : az => i }
  input    = cidrsubnet(var.vpc_cidr, 8, each.value + 1)
}

resource "terraform_data" "private" {
  for_each = { for i, az in var.azs : az => i }
  input    = cidrsubnet(var.vpc_cidr, 8, each.value + 101)
}

output "public" {
  value = { for az, s in terraform_data.public : az => s.output }
}

output "private" {
  value = { for az, s in terraform_data.private : az => s.output }
}
