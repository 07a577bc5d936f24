//! Adopting existing objects against moto: a small network is applied in one directory,
//! then adopted in others (same configuration, empty state) with `hubctl import` and with
//! `import {}` blocks; the adopted state must plan no changes. Plus the refusals.

use crate::moto::Moto;
use crate::support::{Out, Work};

const NETWORK: &str = r#"
provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = { ManagedBy = "hubctl" }
  }
}

resource "aws_vpc" "hub" {
  cidr_block           = "10.42.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = "hub" }
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.hub.id
  cidr_block        = "10.42.1.0/24"
  availability_zone = "us-east-1a"
  tags              = { Name = "hub-a" }
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.hub.id
  tags   = { Name = "hub-igw" }
}

resource "aws_eip" "nat" {
  domain = "vpc"
  tags   = { Name = "hub-nat" }
}

resource "aws_nat_gateway" "a" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.a.id
  tags          = { Name = "hub-nat-a" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.hub.id
  tags   = { Name = "hub-public" }
}

resource "aws_route" "default" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.igw.id
}

resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}
"#;

/// One directory with the network's configuration, run against a shared emulator.
struct Dir<'m> {
    w: Work,
    moto: &'m Moto,
}

impl<'m> Dir<'m> {
    fn new(moto: &'m Moto, extra: &str) -> Dir<'m> {
        let w = Work::empty();
        w.write("main.tf", &format!("{NETWORK}{extra}"));
        Dir { w, moto }
    }

    fn run(&self, args: &[&str]) -> Out {
        self.moto.hubctl(&self.w, args, &[])
    }

    fn import(&self, addr: &str, id: &str) -> Out {
        let dir = self.w.arg();
        self.run(&["import", "--dir", &dir, addr, id])
    }

    fn plan(&self) -> Out {
        let dir = self.w.arg();
        self.run(&["plan", &dir, "--detailed-exitcode"])
    }
}

/// Every address with its Terraform import id, from the state of the applied network.
fn import_ids(state: &serde_json::Value) -> Vec<(&'static str, String)> {
    let attr = |addr: &str, k: &str| {
        state["resources"][addr]["attributes"][k]
            .as_str()
            .unwrap_or_else(|| panic!("{addr}.{k} in state"))
            .to_string()
    };
    let rtb = attr("aws_route_table.public", "id");
    vec![
        ("aws_vpc.hub", attr("aws_vpc.hub", "id")),
        ("aws_subnet.a", attr("aws_subnet.a", "id")),
        (
            "aws_internet_gateway.igw",
            attr("aws_internet_gateway.igw", "id"),
        ),
        ("aws_eip.nat", attr("aws_eip.nat", "id")),
        ("aws_nat_gateway.a", attr("aws_nat_gateway.a", "id")),
        ("aws_route_table.public", rtb.clone()),
        ("aws_route.default", format!("{rtb}_0.0.0.0/0")),
        (
            "aws_route_table_association.a",
            format!("{}/{rtb}", attr("aws_subnet.a", "id")),
        ),
    ]
}

#[test]
fn existing_objects_are_adopted_by_cli_and_by_import_blocks() {
    let moto = Moto::start();
    let origin = Dir::new(&moto, "");
    let dir = origin.w.arg();
    origin
        .run(&["apply", &dir, "--auto-approve"])
        .expect_code(0);
    let ids = import_ids(&origin.w.state());

    // (a) `hubctl import`, one address at a time, into an empty state.
    let cli = Dir::new(&moto, "");
    let missing = cli.import("aws_subnet.a", "subnet-00000000000000000");
    missing.expect_code(1);
    assert!(
        missing.stderr.contains("ec2:DescribeSubnets"),
        "{}",
        missing.stderr
    );
    assert!(missing.stderr.contains("subnet-00000000000000000"));
    assert!(!cli.w.state_path().exists(), "a failed import wrote state");
    for (addr, id) in &ids {
        let o = cli.import(addr, id);
        o.expect_code(0);
        assert!(o.stdout.contains("Import successful!"), "{}", o.stdout);
    }
    assert_eq!(cli.w.state()["serial"], ids.len());
    let before = cli.w.state_bytes();
    let again = cli.import("aws_vpc.hub", &ids[0].1);
    again.expect_code(1);
    assert!(again.stderr.contains("Resource already managed by hubctl"));
    let nowhere = cli.import("aws_vpc.spoke", &ids[0].1);
    nowhere.expect_code(1);
    assert!(nowhere
        .stderr
        .contains("Configuration for import target does not exist"));
    assert!(nowhere.stderr.contains("resource \"aws_vpc\" \"spoke\""));
    assert_eq!(
        cli.w.state_bytes(),
        before,
        "a refused import changed state"
    );
    let o = cli.plan();
    o.expect_code(0);
    assert!(o.stdout.contains("No changes."), "{}", o.stdout);

    // (b) `import {}` blocks: planned, applied, then nothing left to do.
    let blocks: String = ids
        .iter()
        .map(|(addr, id)| format!("\nimport {{\n  to = {addr}\n  id = \"{id}\"\n}}\n"))
        .collect();
    let adopt = Dir::new(&moto, &blocks);
    let o = adopt.plan();
    o.expect_code(2);
    assert!(
        o.stdout
            .contains("Plan: 8 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("# aws_vpc.hub will be imported"));
    // Nothing but imports: no action symbols to explain.
    assert!(
        o.stdout
            .contains("hubctl will perform the following actions:\n"),
        "{}",
        o.stdout
    );
    let dir = adopt.w.arg();
    let o = adopt.run(&["apply", &dir, "--auto-approve"]);
    o.expect_code(0);
    assert!(
        o.stdout
            .contains("Resources: 8 imported, 0 added, 0 changed, 0 destroyed."),
        "{}",
        o.stdout
    );
    let o = adopt.plan();
    o.expect_code(0);
    assert!(o.stdout.contains("No changes."), "{}", o.stdout);
}

#[test]
fn an_import_block_for_a_missing_object_names_block_id_and_call() {
    let moto = Moto::start();
    let d = Dir::new(
        &moto,
        "\nimport {\n  to = aws_vpc.hub\n  id = \"vpc-0000000000000dead\"\n}\n",
    );
    let o = d.plan();
    o.expect_code(1);
    for want in [
        "Cannot import non-existent remote object",
        "main.tf:",
        "aws_vpc.hub",
        "vpc-0000000000000dead",
        "ec2:DescribeVpcs",
    ] {
        assert!(o.stderr.contains(want), "{want} missing:\n{}", o.stderr);
    }
    assert!(!d.w.state_path().exists());
}

#[test]
fn an_import_that_differs_from_the_configuration_is_updated_by_apply() {
    let moto = Moto::start();
    // Made outside hubctl: no `hubctl:address` tag, and a Name the configuration changes.
    let xml = moto.ec2(
        "CreateVpc&CidrBlock=10.9.0.0/16&TagSpecification.1.ResourceType=vpc\
         &TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=old",
    );
    let id = xml
        .split("<vpcId>")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("vpc id")
        .to_string();
    let w = Work::empty();
    w.write(
        "main.tf",
        &format!(
            "resource \"aws_vpc\" \"hub\" {{\n  cidr_block = \"10.9.0.0/16\"\n  tags = {{ Name = \"new\" }}\n}}\n\nimport {{\n  to = aws_vpc.hub\n  id = \"{id}\"\n}}\n"
        ),
    );
    let d = Dir { w, moto: &moto };
    let o = d.plan();
    o.expect_code(2);
    assert!(
        o.stdout
            .contains("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy."),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains(&format!("# (imported from \"{id}\")")));
    assert!(o.stdout.contains("\"old\" -> \"new\""), "{}", o.stdout);
    assert!(!o.stdout.contains("hubctl:address"));
    let dir = d.w.arg();
    d.run(&["apply", &dir, "--auto-approve"]).expect_code(0);
    assert_eq!(
        d.w.state()["resources"]["aws_vpc.hub"]["attributes"]["id"],
        id.as_str()
    );
    d.plan().expect_code(0);
    // The update moved only the user's tags; the bookkeeping tag is left alone.
    let tags = moto.ec2(&format!("DescribeVpcs&VpcId.1={id}"));
    assert!(tags.contains("<value>new</value>"), "{tags}");
    assert!(!tags.contains("hubctl:address"), "{tags}");
}
