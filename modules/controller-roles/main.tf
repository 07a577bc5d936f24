# One IRSA role per platform controller (module iam-irsa with for_each), each with the policy
# its kind needs: KRO assumes the spoke provisioner role in spoke accounts; an ACK controller
# manages its own service and may pass roles to it.

locals {
  ack_services = { for k, c in var.controllers : k => trimprefix(k, "ack-") if startswith(k, "ack-") }
  policies = merge(
    { for k, c in var.controllers : k => data.aws_iam_policy_document.kro.json if k == "kro" },
    { for k, svc in local.ack_services : k => data.aws_iam_policy_document.ack[k].json },
  )
}

data "aws_iam_policy_document" "kro" {
  statement {
    sid       = "AssumeSpokeProvisioner"
    actions   = ["sts:AssumeRole", "sts:TagSession"]
    resources = ["arn:aws:iam::*:role/${var.spoke_provisioner_role_name}"]
  }
}

data "aws_iam_policy_document" "ack" {
  for_each = local.ack_services

  statement {
    sid       = "Manage${upper(each.value)}"
    actions   = ["${each.value}:*"]
    resources = ["*"]
  }
  statement {
    sid       = "PassRoleToService"
    actions   = ["iam:PassRole"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["${each.value == "iam" ? "eks" : each.value}.amazonaws.com"]
    }
  }
}

module "irsa" {
  source   = "../iam-irsa"
  for_each = var.controllers

  role_name         = each.value.role_name
  namespace         = each.value.namespace
  service_account   = each.value.service_account
  oidc_provider_arn = var.oidc_provider_arn
  oidc_issuer       = trimprefix(var.oidc_issuer, "https://")
  policy_json       = lookup(local.policies, each.key, null)
  tags              = merge(var.tags, { Controller = each.key })
}
