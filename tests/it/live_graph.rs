//! `apply --all` runs the units as one graph: a dependent unit's resource starts as soon as
//! the dependency output it reads is applied, not when the whole dependency unit ends. The
//! fault proxy holds the dependency's internet gateway calls back (0.5 s each), so the
//! dependent's subnet, which reads only the VPC id, is done before the gateway is.

use crate::faults::{through, Proxy};
use crate::moto::Moto;
use crate::support::Work;

const NET: &str = r#"provider "aws" {
  region = "us-east-1"
}

resource "aws_vpc" "this" {
  cidr_block = "10.60.0.0/16"
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
}

output "vpc_id" {
  value = aws_vpc.this.id
}

output "igw_id" {
  value = aws_internet_gateway.this.id
}
"#;

const APP: &str = r#"provider "aws" {
  region = "us-east-1"
}

variable "vpc_id" {
  type = string
}

resource "aws_subnet" "a" {
  vpc_id            = var.vpc_id
  cidr_block        = "10.60.1.0/24"
  availability_zone = "us-east-1a"
}
"#;

fn tree() -> Work {
    let w = Work::empty();
    w.write("modules/net/main.tf", NET);
    w.write("modules/app/main.tf", APP);
    w.write(
        "live/dev/net/terragrunt.hcl",
        "terraform {\n  source = \"../../../modules//net\"\n}\n",
    );
    w.write(
        "live/dev/app/terragrunt.hcl",
        "terraform {\n  source = \"../../../modules//app\"\n}\n\ndependency \"net\" {\n  config_path = \"../net\"\n}\n\n\
         inputs = {\n  vpc_id = dependency.net.outputs.vpc_id\n}\n",
    );
    w
}

/// Where `needle` is in `text`, which must hold it.
fn at(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} in\n{text}"))
}

#[test]
fn a_dependent_resource_starts_when_the_output_it_reads_is_applied() {
    let moto = Moto::start();
    let slow = [
        "--rule",
        "CreateInternetGateway=delay",
        "--rule",
        "AttachInternetGateway=delay",
    ];
    let proxy = Proxy::start(&moto.endpoint, &slow);
    let w = tree();
    let apply = through(
        &moto,
        &proxy,
        &w,
        &["apply", "--all", "live/dev", "--auto-approve"],
    );
    apply.expect_code(0);
    let out = &apply.stdout;
    assert!(
        out.contains("Units: 2 done (2 with changes), 0 failed, 0 skipped."),
        "{}",
        apply.all()
    );
    // The app's plan came with the VPC id known after apply, and its subnet was created
    // between the VPC and the gateway.
    let app = &out[at(out, "=== live/dev/app ===")..];
    assert!(app.contains("(known after apply)"), "{app}");
    let vpc = at(out, "[live/dev/net] aws_vpc.this: Creation complete");
    let subnet = at(out, "[live/dev/app] aws_subnet.a: Creation complete");
    let igw = at(
        out,
        "[live/dev/net] aws_internet_gateway.this: Creation complete",
    );
    assert!(vpc < subnet && subnet < igw, "{out}");

    let plan = moto.hubctl(
        &w,
        &["plan", "--all", "live/dev", "--detailed-exitcode"],
        &[],
    );
    assert_eq!(plan.code, 0, "{}", plan.all());
}
