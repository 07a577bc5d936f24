//! Helpers every EC2 type uses.

use crate::error;
use crate::tags::ADDRESS_TAG;
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use hubctl_core::lang::Value;
use hubctl_core::provider::ProviderError;
use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

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

/// A string or null.
pub fn opt(x: Option<&str>) -> Value {
    x.map(|s| Value::String(s.to_string()))
        .unwrap_or(Value::Null)
}

/// The `id` every state value has.
pub fn id_of(v: &Value) -> Result<String, ProviderError> {
    s(v, "id").ok_or_else(|| ProviderError::new("", "the state of this resource has no id"))
}

pub fn filter(name: &str, values: impl IntoIterator<Item = String>) -> Filter {
    let mut f = Filter::builder().name(name);
    for v in values {
        f = f.values(v);
    }
    f.build()
}

/// Tags as sent on create (`TagSpecifications`).
pub fn tag_spec(rt: ResourceType, tags: &BTreeMap<String, String>) -> TagSpecification {
    let mut t = TagSpecification::builder().resource_type(rt);
    for (k, v) in tags {
        t = t.tags(Tag::builder().key(k).value(v).build());
    }
    t.build()
}

/// AWS's tags as a map, without the bookkeeping tag.
pub fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .filter(|(k, _)| k != ADDRESS_TAG)
        .collect()
}

/// Moves an object's tags from `old` to `new` (CreateTags / DeleteTags, only what changed).
pub async fn update_tags(
    client: &aws_sdk_ec2::Client,
    id: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<(), ProviderError> {
    let (set, remove) = crate::tags::changes(old, new);
    if !remove.is_empty() {
        let mut req = client.delete_tags().resources(id);
        for k in &remove {
            req = req.tags(Tag::builder().key(k).build());
        }
        req.send()
            .await
            .map_err(|e| error::sdk("ec2:DeleteTags", e))?;
    }
    if !set.is_empty() {
        let mut req = client.create_tags().resources(id);
        for (k, v) in &set {
            req = req.tags(Tag::builder().key(k).value(v).build());
        }
        req.send()
            .await
            .map_err(|e| error::sdk("ec2:CreateTags", e))?;
    }
    Ok(())
}

/// Moves an object's tags from what `prior` configured to what `planned` does (with the
/// provider's default tags on both sides): the tag half of every tagged type's update.
pub async fn sync_tags(
    c: &crate::config::AwsClients,
    id: &str,
    prior: &Value,
    planned: &Value,
) -> Result<(), ProviderError> {
    let old = crate::tags::all(&c.default_tags, &crate::tags::user_tags(prior));
    let new = crate::tags::all(&c.default_tags, &crate::tags::user_tags(planned));
    update_tags(&c.ec2, id, &old, &new).await
}

/// Polls `check` until it yields `Some`, with backoff (1 s doubling to 10 s) and a timeout.
/// `what` says what is awaited, for the timeout message.
pub async fn wait_for<T, F, Fut>(
    what: &str,
    timeout: Duration,
    mut check: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, ProviderError>>,
{
    let start = Instant::now();
    let mut delay = Duration::from_millis(250);
    loop {
        if let Some(v) = check().await? {
            return Ok(v);
        }
        if start.elapsed() >= timeout {
            // Retryable: the object exists and may still get there; the engine keeps its
            // intent record so the next run finds it instead of creating another.
            return Err(ProviderError {
                retryable: true,
                ..ProviderError::new(
                    "",
                    format!(
                        "timed out after {}s waiting for {what}; raise it with a timeouts block",
                        timeout.as_secs()
                    ),
                )
            });
        }
        tokio::time::sleep(delay.min(timeout.saturating_sub(start.elapsed()))).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

/// A deterministic idempotency token for a create: the same address and planned
/// configuration give the same token, so a retried or re-run create never duplicates.
pub fn client_token(address: &str, planned: &Value) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(address.as_bytes());
    h.update([0]);
    h.update(planned.to_json().to_string().as_bytes());
    hex::encode(&h.finalize()[..24])
}

/// Reads every id in one Describe call (ids filtered by `filter_name`), returning results in
/// input order: `None` for ids AWS no longer has.
pub fn by_id<T>(ids: &[String], found: Vec<(String, T)>) -> Vec<Option<T>> {
    let mut m: BTreeMap<String, T> = found.into_iter().collect();
    ids.iter().map(|id| m.remove(id)).collect()
}

/// Clients for unit tests of pure mapping functions: nothing is ever sent.
#[cfg(test)]
pub fn test_clients(default_tags: BTreeMap<String, String>) -> crate::config::AwsClients {
    let conf = aws_sdk_ec2::Config::builder()
        .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
        .region(aws_sdk_ec2::config::Region::new("us-east-1"))
        .build();
    crate::config::AwsClients {
        ec2: aws_sdk_ec2::Client::from_conf(conf),
        region: "us-east-1".into(),
        account_id: Some("123456789012".into()),
        default_tags,
    }
}

/// Whether an object carries the address tag of `address`. Recovery checks it on what a
/// tag-filtered Describe returned, since some implementations (emulators) ignore filters.
pub fn tagged_for(tags: &[Tag], address: &str) -> bool {
    tags.iter()
        .any(|t| t.key() == Some(ADDRESS_TAG) && t.value() == Some(address))
}

/// `read_many` for EC2 types: ONE Describe (`describe`) of every instance's id, each answer
/// mapped back to its instance by id (`None` where AWS no longer has the object). A failed
/// call fails every instance.
pub async fn refresh<'a, T, Fut>(
    ctx: &'a hubctl_core::provider::OpContext<'_>,
    states: &[Value],
    describe: impl FnOnce(&'a crate::config::AwsClients, Vec<String>) -> Fut,
    id: impl Fn(&T) -> Option<&str>,
    map: impl Fn(&crate::config::AwsClients, &T, &Value) -> Value,
) -> Vec<Result<Option<Value>, ProviderError>>
where
    Fut: Future<Output = Result<Vec<T>, ProviderError>>,
{
    let c = match crate::config::clients(ctx) {
        Ok(c) => c,
        Err(e) => return states.iter().map(|_| Err(e.clone())).collect(),
    };
    let ids: Vec<String> = states
        .iter()
        .map(|v| s(v, "id").unwrap_or_default())
        .collect();
    let known: Vec<String> = ids.iter().filter(|i| !i.is_empty()).cloned().collect();
    if known.is_empty() {
        return states.iter().map(|_| Ok(None)).collect();
    }
    match describe(c, known).await {
        Ok(found) => {
            let found = found
                .into_iter()
                .filter_map(|x| Some((id(&x)?.to_string(), x)))
                .collect();
            by_id(&ids, found)
                .into_iter()
                .zip(states)
                .map(|(x, st)| Ok(x.map(|x| map(c, &x, st))))
                .collect()
        }
        Err(e) => states.iter().map(|_| Err(e.clone())).collect(),
    }
}

/// The error for an import id that names no object.
pub fn not_found(op: &str, type_name: &str, id: &str) -> ProviderError {
    ProviderError::new(op, format!("no {type_name} with id \"{id}\" exists"))
}

/// A delete call's outcome: an object that is already gone counts as deleted.
pub fn gone<T, E, R>(op: &str, r: Result<T, SdkError<E, R>>) -> Result<(), ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match r {
        Ok(_) => Ok(()),
        Err(e) if error::is_not_found(&e) => Ok(()),
        Err(e) => Err(error::sdk(op, e)),
    }
}

/// Repeats a delete call while AWS answers `DependencyViolation` (something that still uses
/// the object is going away, like a lingering network interface) until `timeout`.
pub async fn delete_when_unused<T, E, R, F, Fut>(
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
    wait_for(what, timeout, || async {
        match call().await {
            Err(e) if error::code(&e) == Some("DependencyViolation") => Ok(None),
            r => gone(op, r).map(Some),
        }
    })
    .await
}
