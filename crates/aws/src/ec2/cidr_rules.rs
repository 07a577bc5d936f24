//! Plan-time rules on subnet CIDR blocks, which EC2 only refuses during apply
//! (`InvalidSubnet.Range`, `InvalidSubnet.Conflict`), after other objects were made:
//! a subnet's CIDR must lie within its VPC's, and two subnets of one VPC must not overlap.
//!
//! A subnet's VPC is the planned VPC whose known `id` is the subnet's `vpc_id`, or, while
//! both are unknown (created in this apply), the one VPC instance its `vpc_id` expression
//! refers to. Unknown CIDR blocks are not judged.

use hubctl_core::provider::{Finding, PlannedInstance};
use ipnet::Ipv4Net;

struct Vpc<'a> {
    inst: &'a PlannedInstance,
    cidr: Option<Ipv4Net>,
}

struct Subnet<'a> {
    inst: &'a PlannedInstance,
    cidr: Ipv4Net,
    /// Index into the VPCs.
    vpc: Option<usize>,
}

fn cidr(inst: &PlannedInstance) -> Option<Ipv4Net> {
    inst.known_str("cidr_block")?.parse().ok()
}

/// The findings of both rules on the planned instances of the AWS provider.
pub fn check(planned: &[PlannedInstance]) -> Vec<Finding> {
    fn managed<'a>(
        planned: &'a [PlannedInstance],
        t: &'static str,
    ) -> impl Iterator<Item = &'a PlannedInstance> {
        planned.iter().filter(move |p| !p.data && p.type_name == t)
    }
    let vpcs: Vec<Vpc> = managed(planned, "aws_vpc")
        .map(|inst| Vpc {
            inst,
            cidr: cidr(inst),
        })
        .collect();
    let subnets: Vec<Subnet> = managed(planned, "aws_subnet")
        .filter_map(|inst| {
            Some(Subnet {
                inst,
                cidr: cidr(inst)?,
                vpc: vpc_of(inst, &vpcs),
            })
        })
        .collect();
    let mut out = Vec::new();
    for s in &subnets {
        let Some(v) = s.vpc.map(|i| &vpcs[i]) else {
            continue;
        };
        if let Some(vc) = v.cidr.filter(|vc| !vc.contains(&s.cidr)) {
            out.push(outside(s, v, vc));
        }
    }
    for (i, a) in subnets.iter().enumerate() {
        let earlier = subnets[..i]
            .iter()
            .find(|b| b.vpc.is_some() && b.vpc == a.vpc && overlap(a.cidr, b.cidr));
        if let Some(b) = earlier {
            let vpc = a.vpc.map(|i| vpcs[i].inst.address.as_str()).unwrap_or("");
            out.push(Finding {
                address: a.inst.address.clone(),
                attribute: "cidr_block".into(),
                path: Vec::new(),
                summary: "Overlapping subnet CIDR blocks".into(),
                detail: format!(
                    "The CIDR block {} of this subnet overlaps {} of {}, in the same VPC ({vpc}). EC2 would refuse it (InvalidSubnet.Conflict) only during apply.",
                    a.cidr, b.cidr, b.inst.address
                ),
                related: Some((
                    b.inst.address.clone(),
                    "cidr_block".into(),
                    "the other subnet's CIDR block".into(),
                )),
            });
        }
    }
    out
}

/// The subnet's VPC: by known id, else by the one VPC instance `vpc_id` refers to.
fn vpc_of(s: &PlannedInstance, vpcs: &[Vpc]) -> Option<usize> {
    if let Some(id) = s.known_str("vpc_id") {
        return vpcs.iter().position(|v| v.inst.known_str("id") == Some(id));
    }
    let target = s.refs_of("vpc_id").next()?;
    let mut of_target = vpcs
        .iter()
        .enumerate()
        .filter(|(_, v)| v.inst.resource() == target);
    match (of_target.next(), of_target.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

fn overlap(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

fn outside(s: &Subnet, v: &Vpc, vc: Ipv4Net) -> Finding {
    Finding {
        address: s.inst.address.clone(),
        attribute: "cidr_block".into(),
        path: Vec::new(),
        summary: "Subnet CIDR block outside its VPC".into(),
        detail: format!(
            "The CIDR block {} of this subnet is not within the CIDR block {vc} of its VPC {}. EC2 would refuse it (InvalidSubnet.Range) only during apply.",
            s.cidr, v.inst.address
        ),
        related: Some((
            v.inst.address.clone(),
            "cidr_block".into(),
            "the VPC's CIDR block".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hubctl_core::lang::{Value, VecMap};

    fn inst(address: &str, type_name: &str, attrs: &[(&str, Value)]) -> PlannedInstance {
        let mut m = VecMap::new();
        for (k, v) in attrs {
            m.insert(k.to_string(), v.clone());
        }
        PlannedInstance {
            address: address.into(),
            type_name: type_name.into(),
            data: false,
            value: Value::Object(m),
            refs: vec![],
        }
    }

    fn subnet(address: &str, cidr: &str, vpc_ref: &str) -> PlannedInstance {
        let mut s = inst(
            address,
            "aws_subnet",
            &[("cidr_block", cidr.into()), ("vpc_id", Value::unknown())],
        );
        s.refs.push(("vpc_id".into(), vpc_ref.into()));
        s
    }

    #[test]
    fn a_subnet_outside_its_new_vpc_is_found_through_the_reference() {
        let vpc = inst(
            "aws_vpc.hub",
            "aws_vpc",
            &[
                ("cidr_block", "10.0.0.0/16".into()),
                ("id", Value::unknown()),
            ],
        );
        let ok = subnet("aws_subnet.a[0]", "10.0.1.0/24", "aws_vpc.hub");
        let bad = subnet("aws_subnet.a[1]", "10.1.0.0/24", "aws_vpc.hub");
        let f = check(&[vpc, ok, bad]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].address, "aws_subnet.a[1]");
        assert_eq!(f[0].summary, "Subnet CIDR block outside its VPC");
        assert!(f[0].detail.contains("10.1.0.0/24 of this subnet is not within the CIDR block 10.0.0.0/16 of its VPC aws_vpc.hub"));
    }

    #[test]
    fn overlapping_subnets_of_one_vpc_are_found_once() {
        let vpc = inst(
            "module.net[\"a\"].aws_vpc.this",
            "aws_vpc",
            &[("cidr_block", "10.0.0.0/16".into()), ("id", "vpc-1".into())],
        );
        let other = inst(
            "module.net[\"b\"].aws_vpc.this",
            "aws_vpc",
            &[("cidr_block", "10.0.0.0/16".into()), ("id", "vpc-2".into())],
        );
        let s = |a: &str, c: &str, v: &str| {
            inst(
                a,
                "aws_subnet",
                &[("cidr_block", c.into()), ("vpc_id", v.into())],
            )
        };
        let f = check(&[
            vpc,
            other,
            s("aws_subnet.x", "10.0.1.0/24", "vpc-1"),
            s("aws_subnet.y", "10.0.1.128/25", "vpc-1"),
            // Same CIDR, another VPC: no conflict.
            s("aws_subnet.z", "10.0.1.0/24", "vpc-2"),
        ]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].address, "aws_subnet.y");
        assert_eq!(
            f[0].related.as_ref().map(|r| r.0.as_str()),
            Some("aws_subnet.x")
        );
    }

    #[test]
    fn unknown_values_and_ambiguous_references_are_not_judged() {
        let vpc = |a: &str| {
            inst(
                a,
                "aws_vpc",
                &[
                    ("cidr_block", "10.0.0.0/16".into()),
                    ("id", Value::unknown()),
                ],
            )
        };
        let unknown_cidr = {
            let mut s = inst(
                "aws_subnet.u",
                "aws_subnet",
                &[
                    ("cidr_block", Value::unknown()),
                    ("vpc_id", Value::unknown()),
                ],
            );
            s.refs.push(("vpc_id".into(), "aws_vpc.one".into()));
            s
        };
        // `vpc_id = aws_vpc.many[count.index]`: which instance is not known to the rule.
        let ambiguous = subnet("aws_subnet.v", "192.168.0.0/24", "aws_vpc.many");
        let f = check(&[
            vpc("aws_vpc.one"),
            vpc("aws_vpc.many[0]"),
            vpc("aws_vpc.many[1]"),
            unknown_cidr,
            ambiguous,
        ]);
        assert!(f.is_empty(), "{f:?}");
    }
}
