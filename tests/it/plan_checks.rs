//! Plan-time rules across resources (the providers' `check_plan`): a subnet outside its
//! VPC and overlapping subnets of one VPC fail the plan at the subnet's `cidr_block`, before
//! any API call (the endpoint here is closed: a call would fail the run differently).

use crate::support::Work;

const CONFIG: &str = r#"provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
}
variable "nets" {
  default = { a = "10.0.0.0/16", b = "10.1.0.0/16" }
}
module "net" {
  source   = "./net"
  for_each = var.nets
  cidr     = each.value
}
"#;

const NET: &str = r#"variable "cidr" {}
resource "aws_vpc" "this" {
  cidr_block = var.cidr
}
resource "aws_subnet" "inside" {
  vpc_id     = aws_vpc.this.id
  cidr_block = cidrsubnet(var.cidr, 8, 1)
}
resource "aws_subnet" "outside" {
  vpc_id     = aws_vpc.this.id
  cidr_block = var.cidr == "10.0.0.0/16" ? "10.9.0.0/24" : cidrsubnet(var.cidr, 8, 2)
}
resource "aws_subnet" "overlap" {
  vpc_id     = aws_vpc.this.id
  cidr_block = cidrsubnet(var.cidr, 9, 2)
}
"#;

#[test]
fn subnet_cidr_rules_fail_the_plan_at_the_argument() {
    let w = Work::empty();
    w.write("main.tf", CONFIG);
    w.write("net/main.tf", NET);
    let dir = w.arg();
    let out = w
        .command(&["plan", dir.as_str()])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .output()
        .expect("run hubctl");
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&format!("{dir}/"), "");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // Only module.net["a"]'s "outside" subnet is outside its VPC.
    assert_eq!(
        stderr.matches("Subnet CIDR block outside its VPC").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("error: module.net[\"a\"].aws_subnet.outside: Subnet CIDR block outside its VPC\n  --> net/main.tf:11:16"), "{stderr}");
    // 10.x.1.0/25 overlaps 10.x.1.0/24 in both VPCs; in "b", /24 number 2 is inside.
    assert_eq!(
        stderr.matches("Overlapping subnet CIDR blocks").count(),
        2,
        "{stderr}"
    );
    assert!(stderr.contains("error: module.net[\"b\"].aws_subnet.overlap: Overlapping subnet CIDR blocks\n  --> net/main.tf:15:16"), "{stderr}");
    assert!(!stderr.contains("Connection refused"), "{stderr}");
}
