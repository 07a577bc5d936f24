//! The hub network (modules/vpc through examples/hub-network) against a real local AWS
//! emulator (moto): create, no-op, in-place update, replacement, drift, destroy, the number
//! of API calls a refresh makes, and errors that name the address and the operation.

use crate::moto::Moto;
use crate::support::{copy_dir, resource_addrs, Out, Work};
use std::path::Path;

/// A copy of the repository's `modules/vpc` and `examples/hub-network`, run against `moto`.
struct Net {
    w: Work,
    moto: Moto,
}

impl Net {
    fn new() -> Net {
        let w = Work::empty();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_dir(&repo.join("modules/vpc"), &w.path("modules/vpc"));
        copy_dir(
            &repo.join("examples/hub-network"),
            &w.path("examples/hub-network"),
        );
        Net {
            w,
            moto: Moto::start(),
        }
    }

    fn root(&self) -> String {
        self.w.path("examples/hub-network").display().to_string()
    }

    fn run_with(&self, args: &[&str], env: &[(&str, String)]) -> Out {
        self.moto.hubctl(&self.w, args, env)
    }

    fn run(&self, args: &[&str]) -> Out {
        self.run_with(args, &[])
    }

    fn apply(&self) -> Out {
        let o = self.run(&["apply", &self.root(), "--auto-approve"]);
        o.expect_code(0);
        o
    }

    fn plan(&self) -> Out {
        self.run(&["plan", &self.root(), "--detailed-exitcode"])
    }

    fn state(&self) -> serde_json::Value {
        let p = self.w.path("examples/hub-network/.hubctl/state.json");
        serde_json::from_slice(&std::fs::read(p).expect("state")).expect("state JSON")
    }

    fn count(&self, action: &str, tag: &str) -> usize {
        self.moto.count(action, tag)
    }

    /// Objects of each kind moto has that this test created (the VPC's default route table
    /// and the default VPC moto ships with are excluded by filtering on our VPC or tags).
    fn inventory(&self) -> [usize; 6] {
        let ours = "Filter.1.Name=tag:ManagedBy&Filter.1.Value.1=hubctl";
        [
            self.count(&format!("DescribeVpcs&{ours}"), "vpcId"),
            self.count(&format!("DescribeSubnets&{ours}"), "subnetId"),
            self.count(
                &format!("DescribeInternetGateways&{ours}"),
                "internetGatewayId",
            ),
            self.count(&format!("DescribeAddresses&{ours}"), "allocationId"),
            self.moto
                .ec2(&format!("DescribeNatGateways&{ours}"))
                .matches("<state>available</state>")
                .count(),
            self.count(&format!("DescribeRouteTables&{ours}"), "routeTableId"),
        ]
    }
}

fn addrs_with(state: &serde_json::Value, part: &str) -> usize {
    resource_addrs(state)
        .iter()
        .filter(|a| a.contains(part))
        .count()
}

#[test]
fn hub_network_lifecycle_against_the_emulator() {
    let n = Net::new();
    let out = n.run(&["plan", &n.root(), "--detailed-exitcode"]);
    out.expect_code(2);
    assert!(
        out.stdout
            .contains("Plan: 28 to add, 0 to change, 0 to destroy."),
        "{}",
        out.stdout
    );

    n.apply();
    // VPC, 6 subnets, IGW, 3 EIPs, 3 NAT gateways, 4 route tables (+ routes, associations).
    assert_eq!(n.inventory(), [1, 6, 1, 3, 3, 4]);
    let st = n.state();
    assert_eq!(addrs_with(&st, "aws_route_table_association."), 6);
    assert_eq!(addrs_with(&st, "aws_route."), 4);
    // Every object carries its address tag; hubctl's bookkeeping stays out of tags_all.
    let vpc = n
        .moto
        .ec2("DescribeVpcs&Filter.1.Name=tag:ManagedBy&Filter.1.Value.1=hubctl");
    assert!(
        vpc.contains("<key>hubctl:address</key>") && vpc.contains("module.vpc.aws_vpc.this"),
        "{vpc}"
    );
    assert!(!serde_json::to_string(&st)
        .unwrap()
        .contains("hubctl:address\":"));

    n.plan().expect_code(0);

    // A tag change is an in-place update.
    let out = n.run(&[
        "plan",
        &n.root(),
        "--detailed-exitcode",
        "--var",
        "environment=prod",
    ]);
    out.expect_code(2);
    assert!(
        out.stdout
            .contains("module.vpc.aws_vpc.this will be updated in-place"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Plan: 0 to add,"), "{}", out.stdout);

    // A subnet CIDR change is a replacement.
    let main = n.w.read("modules/vpc/main.tf").replace(
        "cidrsubnet(var.cidr_block, 8, i + 101)",
        "cidrsubnet(var.cidr_block, 8, i + 111)",
    );
    n.w.write("modules/vpc/main.tf", &main);
    let out = n.plan();
    out.expect_code(2);
    assert!(
        out.stdout
            .contains("module.vpc.aws_subnet.private[\"us-east-1a\"] must be replaced"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("# forces replacement"),
        "{}",
        out.stdout
    );
    n.apply();
    assert_eq!(n.inventory()[1], 6);
    assert!(n.moto.ec2("DescribeSubnets").contains("10.0.111.0/24"));
    n.plan().expect_code(0);

    let out = n.run(&["destroy", &n.root(), "--auto-approve"]);
    out.expect_code(0);
    assert_eq!(
        n.inventory(),
        [0, 0, 0, 0, 0, 0],
        "moto still has objects after destroy"
    );
    assert!(resource_addrs(&n.state())
        .iter()
        .all(|a| a.starts_with("data.") || a.contains(".data.")));
}

#[test]
fn drift_is_planned_and_refresh_makes_one_describe_call_per_type() {
    let n = Net::new();
    n.apply();
    let st = n.state();
    let subnet = st["resources"]["module.vpc.aws_subnet.private[\"us-east-1b\"]"]["attributes"]
        ["id"]
        .as_str()
        .expect("subnet id")
        .to_string();
    // Delete it behind hubctl's back (its association first, as AWS requires).
    let assoc = st["resources"]["module.vpc.aws_route_table_association.private[\"us-east-1b\"]"]
        ["attributes"]["id"]
        .as_str()
        .expect("association id")
        .to_string();
    n.moto
        .ec2(&format!("DisassociateRouteTable&AssociationId={assoc}"));
    n.moto.ec2(&format!("DeleteSubnet&SubnetId={subnet}"));

    let out = n.run_with(
        &["plan", &n.root(), "--detailed-exitcode"],
        &[("HUBCTL_LOG", "hubctl::api=info".into())],
    );
    out.expect_code(2);
    assert!(
        out.stdout
            .contains("module.vpc.aws_subnet.private[\"us-east-1b\"] will be created"),
        "{}",
        out.stdout
    );
    let assoc = "module.vpc.aws_route_table_association.private[\"us-east-1b\"] will be created";
    assert!(out.stdout.contains(assoc), "{}", out.stdout);
    assert!(
        out.stdout.contains("deleted outside hubctl"),
        "{}",
        out.stdout
    );
    let calls: Vec<&str> = out
        .stderr
        .lines()
        .filter_map(|l| l.split("hubctl::api: ").nth(1))
        .collect();
    for op in [
        "ec2:DescribeVpcs",
        "ec2:DescribeSubnets",
        "ec2:DescribeNatGateways",
        "ec2:DescribeAddresses",
        "ec2:DescribeInternetGateways",
    ] {
        assert_eq!(
            calls.iter().filter(|c| **c == op).count(),
            1,
            "{op} calls in {calls:#?}"
        );
    }
    // Route tables, routes and associations all live in DescribeRouteTables: one call over
    // every table their states name answers the three types (ec2/route_snapshot.rs), and
    // the deleted association above was still seen.
    let rtb_calls = calls.iter().filter(|c| **c == "ec2:DescribeRouteTables");
    assert_eq!(rtb_calls.count(), 1, "{calls:#?}");

    n.apply();
    n.plan().expect_code(0);
}

#[test]
fn errors_name_the_address_and_the_operation() {
    let n = Net::new();
    // Unreachable endpoint.
    let out = n.run_with(
        &["plan", &n.root()],
        &[("AWS_ENDPOINT_URL", "http://127.0.0.1:9".into())],
    );
    out.expect_code(1);
    assert!(
        out.stderr.contains("could not connect to the endpoint"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("sts:GetCallerIdentity"),
        "{}",
        out.stderr
    );

    // No credentials anywhere (and no instance metadata).
    let mut c = n.w.command(&["plan", &n.root()]);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", n.w.dir());
    c.env("AWS_ENDPOINT_URL", &n.moto.endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    let o = c.output().expect("run");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("credentials"), "{stderr}");

    // Subnets overlapping the public ones: refused at plan time, at the argument, before any
    // object is made (the plan-time rules of `ec2/cidr_rules.rs`).
    let original = n.w.read("modules/vpc/main.tf");
    let main = original.replace(
        "cidrsubnet(var.cidr_block, 8, i + 101)",
        "cidrsubnet(var.cidr_block, 14, i + 101)",
    );
    n.w.write("modules/vpc/main.tf", &main);
    let out = n.run(&["apply", &n.root(), "--auto-approve"]);
    out.expect_code(1);
    assert!(
        out.stderr.contains("Overlapping subnet CIDR blocks"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("ec2:CreateSubnet"), "{}", out.stderr);

    // An AWS error mid-apply: subnets outside the VPC's range, their CIDR known only during
    // apply (the plan-time rules judge known values only). What was created before them is
    // in state; the error names the address, the operation and AWS's code.
    let main = original.replace(
        "cidrsubnet(var.cidr_block, 8, i + 101)",
        "aws_vpc.this.id == \"\" ? \"\" : cidrsubnet(\"10.9.0.0/16\", 8, i + 101)",
    );
    n.w.write("modules/vpc/main.tf", &main);
    let out = n.run(&["apply", &n.root(), "--auto-approve"]);
    out.expect_code(1);
    assert!(
        out.stderr
            .contains("module.vpc.aws_subnet.private[\"us-east-1a\"]"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("ec2:CreateSubnet"), "{}", out.stderr);
    assert!(out.stderr.contains("InvalidSubnet."), "{}", out.stderr);
    let st = n.state();
    assert_eq!(addrs_with(&st, "aws_vpc.this"), 1);
    assert_eq!(addrs_with(&st, "aws_subnet.public"), 3);
    assert_eq!(addrs_with(&st, "aws_subnet.private"), 0);
}
