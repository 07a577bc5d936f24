//! Data source `aws_region`.
//!
//! No API call: the region is the configured client's, or the one named by `region` / `name`
//! / `id` / `endpoint`. Terraform resolves these from the SDK's partition metadata (it calls
//! DescribeRegions only to validate); the table below carries the same descriptions, and a
//! region missing from it still works, with an empty description.

use crate::config::clients;
use async_trait::async_trait;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, DataSource, OpContext, ProviderError, Schema};
use std::sync::OnceLock;

pub struct Region;

/// Region name → description, as the AWS partition metadata spells them.
const REGIONS: &[(&str, &str)] = &[
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)"),
    ("ap-southeast-7", "Asia Pacific (Thailand)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("cn-north-1", "China (Beijing)"),
    ("cn-northwest-1", "China (Ningxia)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-central-1", "Middle East (UAE)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("mx-central-1", "Mexico (Central)"),
    ("sa-east-1", "South America (Sao Paulo)"),
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-gov-east-1", "AWS GovCloud (US-East)"),
    ("us-gov-west-1", "AWS GovCloud (US-West)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
];

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let oc = || AttrSchema::optional_computed(Type::String);
        Schema::new()
            .attr("name", oc())
            .attr("id", oc())
            .attr("region", oc())
            .attr("endpoint", oc())
            .attr("description", AttrSchema::computed(Type::String))
    })
}

/// The EC2 endpoint host of a region (the attribute Terraform calls `endpoint`).
fn endpoint(region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("ec2.{region}.{suffix}")
}

/// The region an `endpoint` argument names, read off its host.
fn region_of_endpoint(ep: &str) -> Option<String> {
    let host = ep
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let mut parts = host.split('.');
    match (parts.next(), parts.next()) {
        (Some("ec2"), Some(r)) if !r.is_empty() => Some(r.to_string()),
        _ => None,
    }
}

/// Which region the configuration asks for (the provider's when it names none); errors when
/// arguments disagree or an endpoint is not an EC2 endpoint.
fn resolve(config: &Value, configured: &str) -> Result<String, ProviderError> {
    let arg = |k: &str| {
        config
            .get_attr(k)
            .and_then(|x| x.peel().as_str())
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };
    let mut asked: Vec<(&str, String)> = ["region", "name", "id"]
        .into_iter()
        .filter_map(|k| arg(k).map(|v| (k, v)))
        .collect();
    if let Some(ep) = arg("endpoint") {
        let r = region_of_endpoint(&ep).ok_or_else(|| {
            ProviderError::new(
                "",
                format!(
                    "no region has the endpoint \"{ep}\" (expected ec2.<region>.amazonaws.com)"
                ),
            )
        })?;
        asked.push(("endpoint", r));
    }
    let Some((_, first)) = asked.first().cloned() else {
        return Ok(configured.to_string());
    };
    if let Some((k, other)) = asked.iter().find(|(_, r)| *r != first) {
        return Err(ProviderError::new(
            "",
            format!("the arguments name different regions: \"{first}\" and \"{other}\" (from {k})"),
        ));
    }
    Ok(first)
}

fn value(config: &Value, region: &str) -> Value {
    let description = REGIONS
        .iter()
        .find(|(n, _)| *n == region)
        .map(|(_, d)| *d)
        .unwrap_or("");
    let mut m = config.as_map().cloned().unwrap_or_default();
    for k in ["name", "id", "region"] {
        m.insert(k.into(), Value::from(region));
    }
    m.insert("endpoint".into(), Value::String(endpoint(region)));
    m.insert("description".into(), Value::from(description));
    Value::Object(m)
}

#[async_trait]
impl DataSource for Region {
    fn type_name(&self) -> &'static str {
        "aws_region"
    }

    fn schema(&self) -> &Schema {
        schema()
    }

    async fn read(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        Ok(value(config, &resolve(config, &c.region)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_the_provider_region() {
        let v = value(
            &Value::map([("name", Value::Null)]),
            &resolve(&Value::map([("name", Value::Null)]), "us-east-1").expect("ok"),
        );
        assert_eq!(v.get_attr("name"), Some(&Value::from("us-east-1")));
        assert_eq!(v.get_attr("id"), Some(&Value::from("us-east-1")));
        assert_eq!(
            v.get_attr("endpoint"),
            Some(&Value::from("ec2.us-east-1.amazonaws.com"))
        );
        assert_eq!(
            v.get_attr("description"),
            Some(&Value::from("US East (N. Virginia)"))
        );
    }

    #[test]
    fn named_region_and_endpoint_resolve_and_must_agree() {
        let cfg = Value::map([
            ("name", Value::from("eu-west-1")),
            ("endpoint", Value::from("ec2.eu-west-1.amazonaws.com")),
        ]);
        assert_eq!(resolve(&cfg, "us-east-1").expect("agree"), "eu-west-1");
        let bad = Value::map([
            ("name", Value::from("eu-west-1")),
            ("region", Value::from("us-west-2")),
        ]);
        assert!(resolve(&bad, "us-east-1").is_err());
        assert!(resolve(
            &Value::map([("endpoint", Value::from("s3.amazonaws.com"))]),
            "us-east-1"
        )
        .is_err());
        assert_eq!(endpoint("cn-north-1"), "ec2.cn-north-1.amazonaws.com.cn");
        let unknown = value(&Value::map::<&str>([]), "xx-new-1");
        assert_eq!(unknown.get_attr("description"), Some(&Value::from("")));
    }
}
