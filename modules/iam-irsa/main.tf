# One IAM role for one Kubernetes service account (IRSA): it trusts exactly
# system:serviceaccount:<namespace>:<service_account> through the cluster's OIDC provider
# (conditions on <issuer>:sub and <issuer>:aud), and carries an optional inline policy and
# managed policies. Meant to be called once per controller with for_each.

data "aws_iam_policy_document" "trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${var.service_account}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

locals {
  # Accept the issuer with or without its scheme; IAM condition keys have none.
  issuer = trimprefix(var.oidc_issuer, "https://")
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  path                 = var.path
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration
  tags                 = var.tags
}

resource "aws_iam_role_policy" "this" {
  count = var.policy_json == null ? 0 : 1

  name   = "${var.role_name}-policy"
  role   = aws_iam_role.this.name
  policy = var.policy_json
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = toset(var.managed_policy_arns)

  role       = aws_iam_role.this.name
  policy_arn = each.value
}
