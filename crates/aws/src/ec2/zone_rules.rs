//! Plan-time rules on availability zones, which AWS only refuses during apply, after other
//! objects were made:
//! - a subnet's `availability_zone` must be one the region lists (the names of the
//!   configuration's `aws_availability_zones` data sources, when any is known);
//! - an EKS cluster's subnets must span at least two zones (`CreateCluster` answers
//!   `InvalidParameterException` otherwise), judged when every subnet id is known and is a
//!   subnet of this plan.
//!
//! Unknown values are not judged.

use hubctl_core::lang::Value;
use hubctl_core::provider::{Finding, PlannedInstance};
use std::collections::BTreeSet;

/// The findings of both rules.
pub fn check(planned: &[PlannedInstance]) -> Vec<Finding> {
    let mut out = zones_listed(planned);
    out.extend(clusters_span_two_zones(planned));
    out
}

fn of_type<'a>(
    planned: &'a [PlannedInstance],
    data: bool,
    t: &'static str,
) -> impl Iterator<Item = &'a PlannedInstance> {
    planned
        .iter()
        .filter(move |p| p.data == data && p.type_name == t)
}

/// Known strings of a list or set value; `None` if the value or an element is unknown.
fn known_strings(v: Option<&Value>) -> Option<Vec<String>> {
    let items = v?.peel().as_seq()?;
    items
        .iter()
        .map(|x| x.peel().as_str().map(str::to_string))
        .collect()
}

fn zones_listed(planned: &[PlannedInstance]) -> Vec<Finding> {
    let lists: Vec<Vec<String>> = of_type(planned, true, "aws_availability_zones")
        .filter_map(|d| known_strings(d.value.get_attr("names")))
        .collect();
    if lists.is_empty() {
        return Vec::new();
    }
    let listed: BTreeSet<&str> = lists.iter().flatten().map(String::as_str).collect();
    of_type(planned, false, "aws_subnet")
        .filter_map(|s| {
            let az = s.known_str("availability_zone")?;
            (!listed.contains(az)).then(|| Finding {
                address: s.address.clone(),
                attribute: "availability_zone".into(),
                path: Vec::new(),
                summary: "Availability zone not in the region".into(),
                detail: format!(
                    "\"{az}\" is not one of the region's availability zones ({}). EC2 would refuse the subnet (InvalidParameterValue) only during apply.",
                    listed.iter().copied().collect::<Vec<_>>().join(", ")
                ),
                related: None,
            })
        })
        .collect()
}

fn clusters_span_two_zones(planned: &[PlannedInstance]) -> Vec<Finding> {
    let zone_of = |id: &str| {
        of_type(planned, false, "aws_subnet")
            .find(|s| s.known_str("id") == Some(id))
            .and_then(|s| s.known_str("availability_zone"))
    };
    let mut out = Vec::new();
    for c in of_type(planned, false, "aws_eks_cluster") {
        let vpc = c
            .value
            .get_attr("vpc_config")
            .and_then(|v| v.peel().as_seq());
        let ids = vpc.and_then(|v| known_strings(v.first()?.get_attr("subnet_ids")));
        let Some(ids) = ids else { continue };
        let zones: Option<BTreeSet<&str>> = ids.iter().map(|id| zone_of(id)).collect();
        let Some(zones) = zones else { continue };
        if zones.len() < 2 {
            out.push(Finding {
                address: c.address.clone(),
                attribute: "vpc_config".into(),
                path: Vec::new(),
                summary: "EKS cluster subnets in fewer than two availability zones".into(),
                detail: format!(
                    "The cluster's subnets ({}) are all in {}. EKS needs subnets in at least two availability zones and would refuse the cluster (InvalidParameterException) only during apply.",
                    ids.join(", "),
                    zones.iter().next().copied().unwrap_or("no zone")
                ),
                related: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hubctl_core::lang::VecMap;

    fn inst(
        address: &str,
        type_name: &str,
        data: bool,
        attrs: &[(&str, Value)],
    ) -> PlannedInstance {
        let mut m = VecMap::new();
        for (k, v) in attrs {
            m.insert(k.to_string(), v.clone());
        }
        PlannedInstance {
            address: address.into(),
            type_name: type_name.into(),
            data,
            value: Value::Object(m),
            refs: vec![],
        }
    }

    fn strings(xs: &[&str]) -> Value {
        Value::List(xs.iter().map(|x| Value::from(*x)).collect())
    }

    fn subnet(n: usize, id: Value, az: &str) -> PlannedInstance {
        let attrs = [("id", id), ("availability_zone", Value::from(az))];
        inst(&format!("aws_subnet.s[{n}]"), "aws_subnet", false, &attrs)
    }

    fn zones(names: Value) -> PlannedInstance {
        let attrs = [("names", names)];
        inst(
            "data.aws_availability_zones.az",
            "aws_availability_zones",
            true,
            &attrs,
        )
    }

    fn cluster(subnet_ids: Value) -> PlannedInstance {
        let mut vpc = VecMap::new();
        vpc.insert("subnet_ids".to_string(), subnet_ids);
        let attrs = [("vpc_config", Value::List(vec![Value::Object(vpc)]))];
        inst("aws_eks_cluster.hub", "aws_eks_cluster", false, &attrs)
    }

    #[test]
    fn a_subnet_in_a_zone_the_region_does_not_list_is_refused_at_its_argument() {
        let listed = zones(strings(&["us-east-1a", "us-east-1b"]));
        let ok = subnet(0, Value::unknown(), "us-east-1a");
        let bad = subnet(1, Value::unknown(), "us-east-2a");
        let f = check(&[listed, ok, bad]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].address.as_str(), f[0].attribute.as_str()),
            ("aws_subnet.s[1]", "availability_zone")
        );
        assert!(f[0].detail.contains(
            "\"us-east-2a\" is not one of the region's availability zones (us-east-1a, us-east-1b)"
        ));
        // Without a known list there is nothing to judge by.
        let unknown = zones(Value::unknown());
        assert!(check(&[unknown, subnet(1, Value::unknown(), "us-east-2a")]).is_empty());
    }

    #[test]
    fn a_cluster_in_one_zone_is_refused_and_two_zones_or_unknown_ids_pass() {
        let a = subnet(0, "subnet-a".into(), "us-east-1a");
        let b = subnet(1, "subnet-b".into(), "us-east-1a");
        let c = subnet(2, "subnet-c".into(), "us-east-1b");
        let one_zone = check(&[
            a.clone(),
            b.clone(),
            cluster(strings(&["subnet-a", "subnet-b"])),
        ]);
        assert_eq!(one_zone.len(), 1, "{one_zone:?}");
        assert_eq!(one_zone[0].attribute, "vpc_config");
        assert!(one_zone[0].detail.contains("are all in us-east-1a"));
        let two = check(&[a.clone(), c, cluster(strings(&["subnet-a", "subnet-c"]))]);
        assert!(two.is_empty(), "{two:?}");
        let unknown = Value::List(vec!["subnet-a".into(), Value::unknown()]);
        assert!(check(&[a.clone(), b.clone(), cluster(unknown)]).is_empty());
        // A subnet this plan does not hold: not judged.
        assert!(check(&[a, cluster(strings(&["subnet-a", "subnet-zzz"]))]).is_empty());
    }
}
