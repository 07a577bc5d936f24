#!/usr/bin/env python3
"""Records policy-document-terraform-1.11.json: what the Terraform AWS provider (5.x, from the
local mirror /opt/tf-plugins) renders for `data "aws_iam_policy_document"` blocks, so hubctl's
rendering can be compared byte for byte (`tests/it/policy_document.rs`).

The configuration (CONFIG) has only data sources and outputs. The provider is configured with
dummy keys and the skip_* flags, which make aws_iam_policy_document need no API call; to be
sure nothing reaches the network, terraform runs in a fresh network namespace (`unshare -rn`:
no interface but a down loopback), so any call would fail the recording. Saved: the
configuration and, per output, `terraform output -json`'s value (json, minified_json, id)."""
import json
import os
import subprocess
import tempfile

FILE = "policy-document-terraform-1.11.json"
MIRROR = "/opt/tf-plugins"

PROVIDER = r'''
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
'''

CONFIG = r'''
data "aws_iam_policy_document" "single" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::bucket/*"]
  }
}

data "aws_iam_policy_document" "lists" {
  statement {
    sid       = "Multi"
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:PutObject", "ec2:Describe*", "iam:PassRole"]
    resources = ["arn:aws:s3:::b/*", "arn:aws:s3:::a/*", "*"]
  }
  statement {
    not_actions   = ["iam:*", "organizations:*"]
    not_resources = ["arn:aws:iam::*:role/admin"]
  }
}

data "aws_iam_policy_document" "irsa" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"]
    }
    condition {
      test     = "StringEquals"
      variable = "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"
      values   = ["system:serviceaccount:kro:kro"]
    }
    condition {
      test     = "StringEquals"
      variable = "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "principals" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com", "ec2.amazonaws.com"]
    }
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:root"]
    }
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:user/b", "arn:aws:iam::123456789012:user/a"]
    }
  }
}

data "aws_iam_policy_document" "star" {
  statement {
    actions = ["s3:ListBucket"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

data "aws_iam_policy_document" "aws_star" {
  statement {
    actions = ["s3:ListBucket"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

data "aws_iam_policy_document" "conditions" {
  statement {
    actions   = ["ec2:*"]
    resources = ["*"]
    condition {
      test     = "StringLike"
      variable = "aws:RequestTag/Name"
      values   = ["b-*", "a-*", "c-*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["true"]
    }
    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/Env"
      values   = ["dev"]
    }
  }
}

data "aws_iam_policy_document" "vars" {
  policy_id = "MyPolicy"
  statement {
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::home/&{aws:username}/*"]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["<home>&{aws:username}"]
    }
  }
}

data "aws_iam_policy_document" "old_version" {
  version = "2008-10-17"
  statement {
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::home/$${aws:username}/*"]
  }
}

data "aws_iam_policy_document" "empty" {}

data "aws_iam_policy_document" "source" {
  source_policy_documents = [data.aws_iam_policy_document.lists.json, jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "FromJson"
      Effect   = "Allow"
      Action   = ["b:Two", "a:One", "c:Three"]
      Resource = "*"
      Principal = { AWS = ["arn:aws:iam::1:root", "arn:aws:iam::2:root"], Service = "x.amazonaws.com" }
      Condition = { StringEquals = { "k" = ["v2", "v1"] } }
    }]
  })]
  statement {
    sid     = "Own"
    actions = ["kms:Decrypt"]
  }
}

data "aws_iam_policy_document" "override" {
  source_policy_documents = [data.aws_iam_policy_document.lists.json]
  override_policy_documents = [jsonencode({
    Statement = [{ Sid = "Multi", Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })]
  statement {
    sid       = "Mine"
    actions   = ["logs:PutLogEvents", "logs:CreateLogStream"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "override_own" {
  statement {
    sid       = "A"
    actions   = ["a:A"]
  }
  statement {
    sid       = "B"
    actions   = ["b:B"]
  }
  override_policy_documents = [jsonencode({
    Version   = "2012-10-17"
    Id        = "Overridden"
    Statement = [{ Sid = "A", Effect = "Deny", Action = ["x:X"], NotResource = ["r"] }, { Effect = "Allow", Action = "new:New" }]
  })]
}

data "aws_iam_policy_document" "no_sid_effect_deny" {
  statement {
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]
    }
  }
}

data "aws_iam_policy_document" "merged_principals" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111111111111:root"]
    }
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]
    }
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "empty_sets" {
  statement {
    sid       = ""
    actions   = []
    resources = ["arn:aws:s3:::x"]
  }
}

data "aws_iam_policy_document" "source_star" {
  source_policy_documents = [jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "One", Effect = "Allow", NotAction = "iam:*", Resource = ["*"], Principal = "*" }]
  })]
}

data "aws_iam_policy_document" "same_condition_twice" {
  statement {
    actions = ["s3:GetObject"]
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/team"
      values   = ["a"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/team"
      values   = ["b", "c"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:aws:s3:::x"]
    }
  }
}

data "aws_iam_policy_document" "star_principal_and_more" {
  statement {
    actions = ["s3:GetObject"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::1:root"]
    }
  }
}
'''

NAMES = [
    "single", "lists", "irsa", "principals", "star", "aws_star", "conditions", "vars",
    "old_version", "empty", "source", "override", "override_own", "no_sid_effect_deny",
    "merged_principals", "empty_sets", "source_star", "same_condition_twice",
    "star_principal_and_more",
]


def outputs():
    out = []
    for n in NAMES:
        out.append(
            'output "%s" {\n  value = {\n    json = data.aws_iam_policy_document.%s.json\n'
            '    minified_json = data.aws_iam_policy_document.%s.minified_json\n'
            '    id = data.aws_iam_policy_document.%s.id\n  }\n}\n' % (n, n, n, n))
    return "\n".join(out)


def run(cmd, cwd):
    # No network at all: a fresh network namespace.
    full = ["unshare", "-rn"] + cmd
    env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1",
               AWS_EC2_METADATA_DISABLED="true")
    p = subprocess.run(full, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stdout}\n{p.stderr}")
    return p.stdout


def main():
    config = CONFIG + "\n" + outputs()
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(PROVIDER + config)
        run(["terraform", "init", "-input=false", "-plugin-dir=" + MIRROR], d)
        run(["terraform", "apply", "-auto-approve", "-input=false", "-no-color"], d)
        got = json.loads(run(["terraform", "output", "-json"], d))
        version = run(["terraform", "version", "-json"], d)
    rec = {
        "terraform": json.loads(version),
        "config": config,
        "outputs": {n: got[n]["value"] for n in NAMES},
    }
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, FILE), "w") as f:
        json.dump(rec, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"recorded {len(NAMES)} policy documents into {FILE}")


if __name__ == "__main__":
    main()
