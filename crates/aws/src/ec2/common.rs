//! Helpers every EC2 type uses.

use crate::error;
use crate::tags::ADDRESS_TAG;
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use hubctl_core::lang::Value;
use hubctl_core::provider::{PlannedState, ProviderError, Schema};
use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

/// A string attribute of a planned/prior value.
pub fn s(v: &Value, k: &str) -> Option<String> {
    v.get_attr(k).and_then(|x| x.as_str()).map(str::to_string)
}

/// A bool attribute.
pub fn b(v: &Value, k: &str) -> Option<bool> {
    v.get_attr(k).and_then(Value::as_bool)
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

/// The planning rule of tagged EC2 types: the schema's rule, `tags_all` unknown when `tags`
/// changes, and, when the object is replaced, its computed attributes unknown: the new
/// object's ids are not the old one's, and the engine checks the plan it makes at apply time
/// (without a prior) against this one. An optional+computed value equal to the prior may be
/// a carried-over computed value rather than configuration, so it becomes unknown too.
pub fn plan_tagged(
    schema: &hubctl_core::provider::Schema,
    prior: Option<&Value>,
    proposed: Value,
) -> hubctl_core::provider::PlannedState {
    let mut p = hubctl_core::provider::plan_by_schema(schema, prior, proposed);
    crate::tags::plan_tags_all(prior, &mut p.planned);
    if let (Some(prior), false, Value::Map(m)) =
        (prior, p.requires_replace.is_empty(), &mut p.planned)
    {
        for (name, a) in schema.attributes.iter().filter(|(_, a)| a.computed) {
            let carried = !a.optional || prior.get_attr(name) == m.get(name);
            if carried {
                m.insert(name.clone(), Value::Unknown(a.ty.clone()));
            }
        }
    }
    p
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

/// On replacement the new object starts afresh: computed attributes, and optional+computed
/// ones that merely carried the prior value over, become unknown. Apply plans the create half
/// of a replacement with no prior state and rejects any known planned value that differs, so
/// the plan must not promise the old object's values (the engine's `plan_by_schema` keeps them).
pub fn unknown_on_replace(schema: &Schema, prior: Option<&Value>, p: &mut PlannedState) {
    let (Some(prior), false) = (prior, p.requires_replace.is_empty()) else {
        return;
    };
    if let Value::Map(m) = &mut p.planned {
        for (k, a) in schema.attributes.iter().filter(|(_, a)| a.computed) {
            if !a.is_argument() || m.get(k) == prior.get_attr(k) {
                m.insert(k.clone(), Value::Unknown(a.ty.clone()));
            }
        }
    }
}

/// `Resource::import` for types whose refresh needs only the id: one `read_many` of `{id}`,
/// whose answer (the full state) is what the engine then refreshes once more. An id AWS
/// does not know is an error naming the Describe call (`op`) that looked for it.
pub async fn import_by_id(
    rt: &(dyn hubctl_core::provider::Resource + '_),
    ctx: &hubctl_core::provider::OpContext<'_>,
    id: &str,
    op: &str,
) -> Result<Value, ProviderError> {
    let st = Value::map([("id", Value::from(id))]);
    let found = rt.read_many(ctx, std::slice::from_ref(&st)).await;
    match found.into_iter().next() {
        Some(Ok(Some(v))) => Ok(v),
        Some(Err(e)) => Err(e),
        Some(Ok(None)) | None => Err(not_found(op, rt.type_name(), id)),
    }
}

/// The error for an import id that names no object.
pub fn not_found(op: &str, type_name: &str, id: &str) -> ProviderError {
    ProviderError::new(op, format!("no {type_name} with id \"{id}\" exists"))
}
