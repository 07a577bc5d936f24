//! A hub with one set of resources per spoke region from a single `provider` block with
//! `for_each` (OpenTofu 1.9, website/docs/language/providers/configuration.mdx, "for_each:
//! Multiple instances of a provider configuration"; meta-arguments/module-providers.mdx,
//! "Module instances with differing provider instances"), against moto, which keeps each
//! region's objects apart: each spoke's VPC, subnet and gateway land in that spoke's region
//! only, a second plan has no changes, and retiring a spoke the documented way (out of the
//! module's `for_each`, kept in the provider's) deletes its objects in its own region.

use crate::moto::Moto;
use crate::support::Work;

const HUB: &str = r#"
variable "spokes" {
  default = {
    "us-west-2" = "10.61.0.0/16"
    "eu-west-1" = "10.62.0.0/16"
  }
}

variable "retired" {
  default = ""
}

locals {
  active = { for region, cidr in var.spokes : region => cidr if region != var.retired }
}

provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias    = "spoke"
  for_each = var.spokes
  region   = each.key
}

resource "aws_vpc" "hub" {
  cidr_block = "10.60.0.0/16"
}

module "spoke" {
  source    = "./spoke"
  for_each  = local.active
  providers = { aws = aws.spoke[each.key] }
  cidr      = each.value
  zone      = "${each.key}a"
}

resource "aws_internet_gateway" "spoke" {
  for_each = local.active
  provider = aws.spoke[each.key]
  vpc_id   = module.spoke[each.key].vpc_id
  tags     = { Name = "spoke-${each.key}" }
}

output "spoke_vpcs" {
  value = { for region, m in module.spoke : region => m.vpc_id }
}
"#;

const SPOKE: &str = r#"
variable "cidr" {}
variable "zone" {}

resource "aws_vpc" "this" {
  cidr_block = var.cidr
  tags       = { Name = "spoke" }
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 8, 1)
  availability_zone = var.zone
}

output "vpc_id" {
  value = aws_vpc.this.id
}
"#;

/// The CIDR blocks of the VPCs moto holds in `region`, moto's default VPC left out.
fn vpc_cidrs(moto: &Moto, region: &str) -> Vec<String> {
    let xml = moto.ec2_in(region, "DescribeVpcs");
    let mut v: Vec<String> = xml
        .split("<cidrBlock>")
        .skip(1)
        .filter_map(|rest| rest.split('<').next())
        .filter(|c| c.starts_with("10.6"))
        .map(str::to_string)
        .collect();
    v.sort();
    v.dedup();
    v
}

fn count_in(moto: &Moto, region: &str, action: &str, tag: &str) -> usize {
    let xml = moto.ec2_in(region, action);
    let ids: std::collections::BTreeSet<&str> = xml
        .split(&format!("<{tag}>"))
        .skip(1)
        .filter_map(|rest| rest.split('<').next())
        .collect();
    ids.len()
}

#[test]
fn one_provider_block_with_for_each_builds_one_spoke_per_region() {
    let moto = Moto::start();
    let w = Work::empty();
    w.write("main.tf", HUB);
    w.write("spoke/main.tf", SPOKE);
    let run = |args: &[&str]| moto.hubctl(&w, args, &[]);
    let plan = run(&["plan", "-no-color"]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("Plan: 7 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.all()
    );
    run(&["apply", "-auto-approve", "-no-color"]).expect_code(0);

    assert_eq!(vpc_cidrs(&moto, "us-east-1"), ["10.60.0.0/16"]);
    assert_eq!(vpc_cidrs(&moto, "us-west-2"), ["10.61.0.0/16"]);
    assert_eq!(vpc_cidrs(&moto, "eu-west-1"), ["10.62.0.0/16"]);
    for region in ["us-west-2", "eu-west-1"] {
        assert_eq!(
            count_in(
                &moto,
                region,
                "DescribeInternetGateways",
                "internetGatewayId"
            ),
            1,
            "{region}"
        );
    }
    assert_eq!(
        count_in(
            &moto,
            "us-east-1",
            "DescribeInternetGateways",
            "internetGatewayId"
        ),
        0
    );
    let state = w.state();
    let subnet = &state["resources"]["module.spoke[\"eu-west-1\"].aws_subnet.a"];
    assert_eq!(subnet["provider"], "aws.spoke[\"eu-west-1\"]", "{subnet}");
    assert_eq!(subnet["attributes"]["availability_zone"], "eu-west-1a");

    let again = run(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(again.code, 0, "{}", again.all());

    // Retired the documented way: out of the module's for_each, still in the provider's.
    let retire = [("TF_VAR_retired", "eu-west-1".to_string())];
    let out = moto.hubctl(&w, &["apply", "-auto-approve", "-no-color"], &retire);
    out.expect_code(0);
    assert!(
        out.stdout.contains("0 added, 0 changed, 3 destroyed"),
        "{}",
        out.all()
    );
    assert!(vpc_cidrs(&moto, "eu-west-1").is_empty());
    assert_eq!(vpc_cidrs(&moto, "us-west-2"), ["10.61.0.0/16"]);

    let down = moto.hubctl(&w, &["destroy", "-auto-approve", "-no-color"], &retire);
    down.expect_code(0);
    for region in ["us-east-1", "us-west-2", "eu-west-1"] {
        assert!(vpc_cidrs(&moto, region).is_empty(), "{region}");
    }
}
