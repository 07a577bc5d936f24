//! Helpers every EC2 type uses: id filters, EC2's ARN form, deletes that wait for
//! dependents, client tokens.

use crate::config::AwsClients;
use crate::error;
use crate::managed::{refresh::paged, wait_for, Lookup};
use crate::tags::ADDRESS_TAG;
use aws_sdk_ec2::types::Filter;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use hubctl_core::lang::Value;
use hubctl_core::provider::{OpContext, ProviderError};
use std::future::Future;
use std::time::Duration;

/// A string attribute of a planned/prior value, read through a sensitive mark (it goes to
/// the API).
pub fn s(v: &Value, k: &str) -> Option<String> {
    v.get_attr(k)
        .and_then(|x| x.peel().as_str())
        .map(str::to_string)
}

/// A bool attribute.
pub fn b(v: &Value, k: &str) -> Option<bool> {
    v.get_attr(k).and_then(|x| x.peel().as_bool())
}

pub fn filter(name: &str, values: impl IntoIterator<Item = String>) -> Filter {
    let mut f = Filter::builder().name(name);
    for v in values {
        f = f.values(v);
    }
    f.build()
}

/// The Describe filters of a lookup: ids on `id_filter`, or the address tag.
pub fn filters(by: Lookup<'_>, id_filter: &str) -> Vec<Filter> {
    match by {
        Lookup::Keys(ids) => vec![filter(id_filter, ids.iter().cloned())],
        Lookup::AddressTag(a) => vec![filter(&format!("tag:{ADDRESS_TAG}"), [tag_pattern(a)])],
    }
}

/// An address as a tag filter value. EC2 filter values are patterns (`*`, `?`, and `\`
/// escapes; moto also reads `[...]` as a class), so `aws_subnet.a["us-east-1a"]` taken
/// literally matches nothing on moto and an interrupted create's object is never found.
/// Each such character becomes `?` (any one character), which matches a superset;
/// the caller checks the tag's exact value on the answer.
pub fn tag_pattern(address: &str) -> String {
    address
        .chars()
        .map(|ch| if "*?[]\\".contains(ch) { '?' } else { ch })
        .collect()
}

/// One page of an EC2 Describe answer: its objects and the next page's token.
pub trait Page {
    type Item: Clone;
    fn items(&self) -> &[Self::Item];
    fn next(&self) -> Option<&str>;
}

/// `Page` for the Describe answers the types read (`module::Output`, item type, items).
macro_rules! pages_of {
    ($($op:ident::$out:ident => $item:ident, $items:ident;)+) => {$(
        impl Page for aws_sdk_ec2::operation::$op::$out {
            type Item = aws_sdk_ec2::types::$item;
            fn items(&self) -> &[Self::Item] {
                self.$items()
            }
            fn next(&self) -> Option<&str> {
                self.next_token()
            }
        }
    )+};
}

pages_of! {
    describe_vpcs::DescribeVpcsOutput => Vpc, vpcs;
    describe_subnets::DescribeSubnetsOutput => Subnet, subnets;
    describe_internet_gateways::DescribeInternetGatewaysOutput =>
        InternetGateway, internet_gateways;
    describe_nat_gateways::DescribeNatGatewaysOutput => NatGateway, nat_gateways;
    describe_route_tables::DescribeRouteTablesOutput => RouteTable, route_tables;
    describe_security_groups::DescribeSecurityGroupsOutput => SecurityGroup, security_groups;
    describe_security_group_rules::DescribeSecurityGroupRulesOutput =>
        SecurityGroupRule, security_group_rules;
}

/// Every page of an EC2 Describe (operation `op`, for errors): `call(token)` sends the
/// request for one page.
pub async fn pages<O, E, R, F, Fut>(op: &str, mut call: F) -> Result<Vec<O::Item>, ProviderError>
where
    O: Page,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<O, SdkError<E, R>>>,
{
    paged(|token| {
        let sent = call(token);
        async move {
            let out = sent.await.map_err(|e| error::sdk(op, e))?;
            Ok((out.items().to_vec(), out.next().map(str::to_string)))
        }
    })
    .await
}

/// The owning account: the one AWS names, else the caller's.
pub fn owner(c: &AwsClients, owner: Option<&str>) -> Value {
    Value::from(owner.or(c.account_id.as_deref()).unwrap_or_default())
}

/// EC2's ARN form `arn:aws:ec2:<region>:<owner>:<kind>/<id>`, for objects AWS reports none.
pub fn arn(c: &AwsClients, kind: &str, id: Option<&str>, owner_id: Option<&str>) -> Value {
    let owner = owner_id.or(c.account_id.as_deref()).unwrap_or_default();
    let id = id.unwrap_or_default();
    Value::String(format!("arn:aws:ec2:{}:{owner}:{kind}/{id}", c.region))
}

/// The idempotency token of a create: the one the engine keeps with the create's intent
/// record (the same on every attempt, across runs), or a fresh one outside a create.
pub fn request_token(ctx: &hubctl_core::provider::OpContext<'_>) -> String {
    if ctx.create_token.is_empty() {
        client_token(ctx.address)
    } else {
        ctx.create_token.to_string()
    }
}

/// A fresh token: for names made from a prefix, and for creates outside the engine's
/// intents. The SDK's retries of a call send its token again, so they never duplicate. It is
/// not derived from the configuration: a replacement with an unchanged configuration would
/// get its predecessor back.
pub fn client_token(address: &str) -> String {
    use sha2::{Digest, Sha256};
    use std::hash::{BuildHasher, Hasher};
    let mut seed = std::collections::hash_map::RandomState::new().build_hasher();
    seed.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    let mut h = Sha256::new();
    h.update(address.as_bytes());
    h.update(seed.finish().to_le_bytes());
    hex::encode(&h.finalize()[..24])
}

/// A call's answer, its error named by the operation (`ec2:CreateVpc`).
pub fn answer<T, E, R>(op: &str, r: Result<T, SdkError<E, R>>) -> Result<T, ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    r.map_err(|e| error::sdk(op, e))
}

/// A call's outcome where an object already gone counts as done.
pub fn gone<T, E, R>(op: &str, r: Result<T, SdkError<E, R>>) -> Result<(), ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match r {
        Ok(_) => Ok(()),
        Err(e) if error::is_not_found(op, &e) => Ok(()),
        Err(e) => Err(error::sdk(op, e)),
    }
}

/// Repeats a delete call while AWS answers `DependencyViolation` (something that still uses
/// the object is going away, like a lingering network interface) until `timeout`.
pub async fn delete_when_unused<T, E, R, F, Fut>(
    ctx: &OpContext<'_>,
    op: &str,
    what: &str,
    timeout: Duration,
    call: F,
) -> Result<(), ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
{
    wait_for(ctx, what, timeout, || async {
        match call().await {
            Err(e) if error::code(&e) == Some("DependencyViolation") => Ok(None),
            r => gone(op, r).map(Some),
        }
    })
    .await
}

#[cfg(test)]
pub use crate::config::test_clients;

/// Tags a default object hubctl adopts: AWS made it, so no create carried the tags.
pub async fn tag_adopted(
    c: &crate::managed::Op<'_>,
    id: &str,
    tags: &crate::managed::Tags,
) -> Result<(), ProviderError> {
    let mut req = c.ec2.create_tags().resources(id);
    for (k, v) in tags {
        req = req.tags(aws_sdk_ec2::types::Tag::builder().key(k).value(v).build());
    }
    answer("ec2:CreateTags", req.send().await).map(|_| ())
}

/// Hands an adopted default object back to AWS: without the address tag hubctl put on it.
pub async fn release_adopted(c: &crate::managed::Op<'_>, id: &str) -> Result<(), ProviderError> {
    let tag = aws_sdk_ec2::types::Tag::builder().key(ADDRESS_TAG).build();
    let req = c.ec2.delete_tags().resources(id).tags(tag);
    answer("ec2:DeleteTags", req.send().await).map(|_| ())
}

#[cfg(test)]
mod pattern_tests {
    use super::tag_pattern;

    #[test]
    fn an_address_becomes_a_tag_filter_pattern_with_no_special_characters() {
        let p = tag_pattern(r#"module.m["x"].aws_subnet.s["a*b?c\d"]"#);
        assert_eq!(p, r#"module.m?"x"?.aws_subnet.s?"a?b?c?d"?"#);
        assert_eq!(tag_pattern("aws_vpc.this"), "aws_vpc.this");
    }
}
