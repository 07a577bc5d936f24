# Shaped like an IAM/IRSA module: service accounts, policy documents built as data, heredocs.
variable "account_id" {
  type    = string
  default = "123456789012"
}

variable "oidc_provider" {
  type    = string
  default = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
}

variable "service_accounts" {
  type = map(object({
    namespace = string
    buckets   = optional(list(string), [])
    read_only = optional(bool, true)
  }))
  default = {
    loki     = { namespace = "monitoring", buckets = ["logs", "logs-archive"], read_only = false }
    grafana  = { namespace = "monitoring" }
    velero   = { namespace = "velero", buckets = ["backups"], read_only = false }
  }
}

locals {
  s3_actions = {
    read  = ["s3:GetObject", "s3:ListBucket"]
    write = ["s3:PutObject", "s3:DeleteObject"]
  }

  policies = {
    for name, sa in var.service_accounts : name => {
      Version = "2012-10-17"
      Statement = concat(
        [{
          Effect   = "Allow"
          Action   = ["sts:AssumeRoleWithWebIdentity"]
          Resource = "*"
        }],
        length(sa.buckets) == 0 ? [] : [{
          Effect = "Allow"
          Action = (sa.read_only
            ? local.s3_actions.read
          : concat(local.s3_actions.read, local.s3_actions.write))
          Resource = flatten([
            for b in sa.buckets : [
              "arn:aws:s3:::${b}",
              "arn:aws:s3:::${b}/*",
            ]
          ])
        }],
      )
    }
  }

  trust = {
    for name, sa in var.service_accounts :
    name => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect    = "Allow"
        Principal = { Federated = "arn:aws:iam::${var.account_id}:oidc-provider/${var.oidc_provider}" }
        Action    = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "${var.oidc_provider}:sub" = "system:serviceaccount:${sa.namespace}:${name}"
          }
        }
      }]
    })
  }

  writers = sort([
    for name, sa in var.service_accounts : name
    if !sa.read_only
    && length(sa.buckets) > 0
  ])

  annotations = {
    for name, sa in var.service_accounts :
      "${sa.namespace}/${name}" =>
      sa.read_only ? "arn:aws:iam::${var.account_id}:role/ro-${name}" :
                     "arn:aws:iam::${var.account_id}:role/rw-${name}"
  }

  readme = <<EOT
Service accounts:
%{ for name in sort(keys(var.service_accounts)) ~}
- ${name} (${var.service_accounts[name].namespace})%{ if length(var.service_accounts[name].buckets) > 0 }: ${join(", ", var.service_accounts[name].buckets)}%{ endif }
%{ endfor ~}
EOT
}

output "policies" {
  value = local.policies
}

output "trust" {
  value = local.trust
}

output "writers" {
  value = local.writers
}

output "annotations" {
  value = local.annotations
}

output "readme" {
  value = local.readme
}
