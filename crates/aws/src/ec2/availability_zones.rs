//! Data source `aws_availability_zones`.
//!
//! API call: `DescribeAvailabilityZones` (once; `state` and `filter` blocks become request
//! filters, `all_availability_zones` includes opt-in zones). As in Terraform, the zones are
//! sorted by name and `exclude_names` / `exclude_zone_ids` are applied after the call, so
//! `names[i]` and `zone_ids[i]` always describe the same zone; `id` is the region.

use super::common::{b, filter};
use crate::config::clients;
use crate::error;
use async_trait::async_trait;
use aws_sdk_ec2::types::{AvailabilityZone, Filter};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{
    AttrSchema, BlockSchema, DataSource, Nesting, OpContext, ProviderError, Schema,
};
use std::sync::OnceLock;

pub struct AvailabilityZones;

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let strings = |t: fn(Box<Type>) -> Type| t(Box::new(Type::String));
        let filter = Schema::new()
            .attr("name", AttrSchema::required(Type::String))
            .attr("values", AttrSchema::required(strings(Type::Set)));
        Schema::new()
            .attr("all_availability_zones", AttrSchema::optional(Type::Bool))
            .attr("exclude_names", AttrSchema::optional(strings(Type::Set)))
            .attr("exclude_zone_ids", AttrSchema::optional(strings(Type::Set)))
            .attr("state", AttrSchema::optional(Type::String))
            .attr("id", AttrSchema::computed(Type::String))
            .attr("names", AttrSchema::computed(strings(Type::List)))
            .attr("zone_ids", AttrSchema::computed(strings(Type::List)))
            .attr("group_names", AttrSchema::computed(strings(Type::Set)))
            .block(
                "filter",
                BlockSchema {
                    nesting: Nesting::Set,
                    min_items: 0,
                    max_items: None,
                    force_new: false,
                    schema: filter,
                },
            )
    })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(|x| x.peel().as_seq())
        .unwrap_or_default()
        .iter()
        .filter_map(|x| x.peel().as_str().map(str::to_string))
        .collect()
}

/// The request filters: `state` first, then each `filter` block.
fn filters(config: &Value) -> Vec<Filter> {
    let mut out = Vec::new();
    if let Some(st) = config
        .get_attr("state")
        .and_then(|x| x.peel().as_str())
        .filter(|x| !x.is_empty())
    {
        out.push(filter("state", [st.to_string()]));
    }
    for f in config
        .get_attr("filter")
        .and_then(|x| x.peel().as_seq())
        .unwrap_or_default()
    {
        if let Some(name) = f.get_attr("name").and_then(|x| x.peel().as_str()) {
            out.push(filter(name, strings(f.get_attr("values"))));
        }
    }
    out
}

/// The data source's value from the zones AWS returned.
fn from_api(config: &Value, region: &str, mut zones: Vec<AvailabilityZone>) -> Value {
    zones.sort_by(|a, b| a.zone_name().cmp(&b.zone_name()));
    let (ex_names, ex_ids) = (
        strings(config.get_attr("exclude_names")),
        strings(config.get_attr("exclude_zone_ids")),
    );
    let kept: Vec<&AvailabilityZone> = zones
        .iter()
        .filter(|z| !ex_names.iter().any(|n| Some(n.as_str()) == z.zone_name()))
        .filter(|z| !ex_ids.iter().any(|n| Some(n.as_str()) == z.zone_id()))
        .collect();
    let list = |f: fn(&AvailabilityZone) -> Option<&str>| {
        kept.iter()
            .filter_map(|z| f(z))
            .map(Value::from)
            .collect::<Vec<_>>()
    };
    let mut m = config.as_map().cloned().unwrap_or_default();
    m.insert("id".into(), Value::from(region));
    m.insert(
        "names".into(),
        Value::List(list(AvailabilityZone::zone_name)),
    );
    m.insert(
        "zone_ids".into(),
        Value::List(list(AvailabilityZone::zone_id)),
    );
    m.insert(
        "group_names".into(),
        Value::set(list(AvailabilityZone::group_name)),
    );
    Value::Object(m)
}

#[async_trait]
impl DataSource for AvailabilityZones {
    fn type_name(&self) -> &'static str {
        "aws_availability_zones"
    }

    fn schema(&self) -> &Schema {
        schema()
    }

    async fn read(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let out = c
            .ec2
            .describe_availability_zones()
            .set_all_availability_zones(b(config, "all_availability_zones"))
            .set_filters(Some(filters(config)).filter(|f| !f.is_empty()))
            .send()
            .await
            .map_err(|e| error::sdk("ec2:DescribeAvailabilityZones", e))?;
        Ok(from_api(
            config,
            &c.region,
            out.availability_zones().to_vec(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str, id: &str) -> AvailabilityZone {
        AvailabilityZone::builder()
            .zone_name(name)
            .zone_id(id)
            .group_name("us-east-1")
            .build()
    }

    #[test]
    fn zones_are_sorted_and_excluded_in_step() {
        let config = Value::map([
            ("exclude_names", Value::set(vec![Value::from("us-east-1b")])),
            ("exclude_zone_ids", Value::Null),
            ("state", Value::from("available")),
        ]);
        let zones = vec![
            zone("us-east-1c", "use1-az3"),
            zone("us-east-1a", "use1-az1"),
            zone("us-east-1b", "use1-az2"),
        ];
        let v = from_api(&config, "us-east-1", zones);
        assert_eq!(
            v.get_attr("names"),
            Some(&Value::List(vec![
                Value::from("us-east-1a"),
                Value::from("us-east-1c")
            ]))
        );
        assert_eq!(
            v.get_attr("zone_ids"),
            Some(&Value::List(vec![
                Value::from("use1-az1"),
                Value::from("use1-az3")
            ]))
        );
        assert_eq!(
            v.get_attr("group_names"),
            Some(&Value::set(vec![Value::from("us-east-1")]))
        );
        assert_eq!(v.get_attr("id"), Some(&Value::from("us-east-1")));
        assert_eq!(v.get_attr("state"), Some(&Value::from("available")));
    }

    #[test]
    fn state_and_filter_blocks_become_request_filters() {
        let config = Value::map([
            ("state", Value::from("available")),
            (
                "filter",
                Value::set(vec![Value::map([
                    ("name", Value::from("opt-in-status")),
                    (
                        "values",
                        Value::set(vec![Value::from("opt-in-not-required")]),
                    ),
                ])]),
            ),
        ]);
        let f = filters(&config);
        assert_eq!(f.len(), 2);
        assert_eq!(
            (f[0].name(), f[0].values()),
            (Some("state"), &["available".to_string()][..])
        );
        assert_eq!(f[1].name(), Some("opt-in-status"));
        assert!(filters(&Value::map([("state", Value::Null)])).is_empty());
    }
}
