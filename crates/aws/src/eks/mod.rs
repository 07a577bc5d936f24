//! EKS resource and data source types (`aws_eks_cluster`, `aws_eks_node_group`), on the
//! managed-resource adapter, and what they share: tags by ARN, the values EKS answers in
//! (string lists, maps), the waiters' status polling and the retry of IAM's eventual
//! consistency.

mod cluster;
mod cluster_blocks;
mod data;
mod node_group;
mod node_group_blocks;
mod token;

use crate::config::AwsClients;
use crate::error;
use crate::managed::tags::TagApi;
use crate::managed::{wait_for, Adapter, TagStyle};
use async_trait::async_trait;
use aws_sdk_eks::types::{Update, UpdateStatus};
use hubctl_core::lang::{ObjectAttr, Type, Value};
use hubctl_core::provider::{
    BlockSchema, DataSource, EphemeralResource, ErrorKind, Nesting, OpContext, ProviderError,
    Resource, Schema,
};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// One line per resource type.
pub fn resources() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(Adapter::new(cluster::Cluster)),
        Arc::new(Adapter::new(node_group::NodeGroup)),
    ]
}

/// One line per data source.
pub fn data_sources() -> Vec<Arc<dyn DataSource>> {
    vec![Arc::new(data::ClusterData), Arc::new(data::ClusterAuth)]
}

/// One line per ephemeral resource type.
pub fn ephemeral_resources() -> Vec<Arc<dyn EphemeralResource>> {
    vec![Arc::new(data::EphemeralClusterAuth)]
}

/// EKS: `TagResource` / `UntagResource` on the object's ARN (its state's `arn`).
pub struct EksTags;

/// The tag style of the EKS types.
pub const EKS: TagStyle = TagStyle::Api(&EksTags);

#[async_trait]
impl TagApi for EksTags {
    async fn update(
        &self,
        c: &AwsClients,
        _key: &str,
        state: &Value,
        set: &BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<(), ProviderError> {
        let arn = state.get_attr("arn").and_then(Value::as_str);
        let arn = arn.ok_or_else(|| ProviderError::msg("the state has no arn to tag"))?;
        if !remove.is_empty() {
            let req = c.eks.untag_resource().resource_arn(arn);
            let req = req.set_tag_keys(Some(remove.to_vec()));
            req.send()
                .await
                .map_err(|e| error::sdk("eks:UntagResource", e))?;
        }
        if !set.is_empty() {
            let tags: HashMap<String, String> = set.clone().into_iter().collect();
            let req = c.eks.tag_resource().resource_arn(arn).set_tags(Some(tags));
            req.send()
                .await
                .map_err(|e| error::sdk("eks:TagResource", e))?;
        }
        Ok(())
    }
}

/// EKS's tags as a map (the address tag included).
pub(crate) fn tag_map(t: Option<&HashMap<String, String>>) -> BTreeMap<String, String> {
    t.map(|m| m.clone().into_iter().collect())
        .unwrap_or_default()
}

/// A list block of at most one element.
pub(crate) fn one_block(schema: Schema, min: usize) -> BlockSchema {
    BlockSchema {
        nesting: Nesting::List,
        min_items: min,
        max_items: Some(1),
        force_new: false,
        schema,
    }
}

pub(crate) fn strings_ty(set: bool) -> Type {
    let s = Box::new(Type::String);
    if set {
        Type::Set(s)
    } else {
        Type::List(s)
    }
}

/// The object type `{ name = ty, ... }` of a computed nested value.
pub(crate) fn object_ty(attrs: &[(&str, Type)]) -> Type {
    let m = attrs
        .iter()
        .map(|(k, t)| (k.to_string(), ObjectAttr::required(t.clone())))
        .collect();
    Type::Object(m)
}

pub(crate) fn list_of(t: Type) -> Type {
    Type::List(Box::new(t))
}

pub(crate) fn str_set(xs: &[String]) -> Value {
    Value::set(xs.iter().map(|s| Value::from(s.as_str())).collect())
}

pub(crate) fn str_list(xs: &[String]) -> Value {
    Value::List(xs.iter().map(|s| Value::from(s.as_str())).collect())
}

pub(crate) fn str_map(m: Option<&HashMap<String, String>>) -> Value {
    match m {
        None => Value::Null,
        Some(m) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect::<BTreeMap<_, _>>()
                .into_iter()
                .collect(),
        ),
    }
}

/// The strings of a list or set argument (through sensitive marks); none when unset.
pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(|x| x.peel().as_seq())
        .unwrap_or_default()
        .iter()
        .filter_map(|x| x.peel().as_str().map(str::to_string))
        .collect()
}

/// A string argument's value.
pub(crate) fn s(v: &Value, k: &str) -> Option<String> {
    v.get_attr(k)
        .and_then(|x| x.peel().as_str())
        .map(str::to_string)
}

pub(crate) fn int(v: &Value, k: &str) -> Option<i32> {
    v.get_attr(k)
        .and_then(|x| x.peel().as_number())
        .map(|n| n as i32)
}

pub(crate) fn flag(v: &Value, k: &str) -> Option<bool> {
    v.get_attr(k).and_then(|x| x.peel().as_bool())
}

/// The first element of a list block (`vpc_config[0]`), or null.
pub(crate) fn first<'a>(v: &'a Value, block: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    v.get_attr(block)
        .and_then(Value::as_seq)
        .and_then(|xs| xs.first())
        .unwrap_or(&NULL)
}

/// The string map of a map argument (`labels`).
pub(crate) fn map_arg(v: &Value, k: &str) -> BTreeMap<String, String> {
    v.get_attr(k)
        .and_then(|x| x.peel().as_map())
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.peel().as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// How long IAM may take before EKS can assume a role that was just created (the
/// Terraform provider's IAM propagation timeout).
pub(crate) const IAM_PROPAGATION: Duration = Duration::from_secs(2 * 60);

/// Whether an error is EKS saying a role cannot be assumed (yet): IAM is eventually
/// consistent, so a role created a moment ago may not be usable by the service. Only this
/// `InvalidParameterException` is retried, never another.
pub(crate) fn role_not_assumable(e: &ProviderError) -> bool {
    let m = e.message.to_ascii_lowercase();
    m.starts_with("invalidparameterexception:")
        && m.contains("role")
        && (m.contains("cannot be assumed") || m.contains("could not be assumed"))
}

/// Sends `call` until it is not refused for a role that cannot be assumed yet, for at most
/// `limit`; any other outcome (success or another error) is returned at once.
pub(crate) async fn retry_role<T, F, Fut>(
    ctx: &OpContext<'_>,
    what: &str,
    limit: Duration,
    mut call: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let started = std::time::Instant::now();
    let last = std::sync::Mutex::new(None);
    let r = wait_for(ctx, what, limit, || {
        let sent = call();
        let last = &last;
        async move {
            match sent.await {
                Err(e) if role_not_assumable(&e) => {
                    *last.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    Ok(None)
                }
                r => r.map(Some),
            }
        }
    })
    .await;
    let last = last.into_inner().unwrap_or_else(|p| p.into_inner());
    match (r, last) {
        // Out of time: AWS's own answer says more than the timeout.
        (Err(e), Some(aws)) if e.kind == ErrorKind::Uncertain && started.elapsed() >= limit => {
            Err(aws)
        }
        (r, _) => r,
    }
}

/// The status a waiter reads, and what to do with it.
pub(crate) enum Seen<T> {
    Done(T),
    Waiting(String),
    Failed(String),
}

/// Polls `check` (one Describe) with backoff until done, failed or `timeout`, showing each
/// status on the live line.
pub(crate) async fn wait_status<T, F, Fut>(
    ctx: &OpContext<'_>,
    op: &str,
    what: &str,
    timeout: Duration,
    mut check: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Seen<T>, ProviderError>>,
{
    wait_for(ctx, what, timeout, || {
        let seen = check();
        async move {
            match seen.await? {
                Seen::Done(x) => Ok(Some(x)),
                Seen::Waiting(status) => {
                    (ctx.progress)(&format!("{what}: {status}"));
                    Ok(None)
                }
                Seen::Failed(why) => Err(ProviderError::new(op, why)),
            }
        }
    })
    .await
}

/// What one observation of an update says.
fn update_seen(what: &str, u: &Update) -> Seen<()> {
    match u.status() {
        Some(UpdateStatus::Successful) => Seen::Done(()),
        Some(UpdateStatus::Failed | UpdateStatus::Cancelled) => {
            let why: Vec<&str> = u
                .errors()
                .iter()
                .filter_map(|e| e.error_message())
                .collect();
            Seen::Failed(format!("{what} failed: {}", why.join("; ")))
        }
        s => Seen::Waiting(s.map_or("unknown", |s| s.as_str()).to_lowercase()),
    }
}

/// Waits for an update EKS answered (of the cluster, or of one of its node groups) to be
/// `Successful`: the answer itself may already say so; otherwise DescribeUpdate is polled.
pub(crate) async fn wait_update(
    ctx: &OpContext<'_>,
    c: &AwsClients,
    cluster: &str,
    nodegroup: Option<&str>,
    u: &Update,
    timeout: Duration,
) -> Result<(), ProviderError> {
    let id = u.id().unwrap_or_default();
    let of = nodegroup.map_or(format!("EKS cluster {cluster}"), |n| {
        format!("EKS node group {cluster}:{n}")
    });
    let what = format!("update {id} of {of}");
    if let Seen::Done(()) = update_seen(&what, u) {
        return Ok(());
    }
    wait_status(ctx, "eks:DescribeUpdate", &what, timeout, || async {
        let req = c.eks.describe_update().name(cluster).update_id(id);
        let r = req
            .set_nodegroup_name(nodegroup.map(str::to_string))
            .send()
            .await;
        let out = r.map_err(|e| error::sdk("eks:DescribeUpdate", e))?;
        Ok(match out.update() {
            Some(u) => update_seen(&what, u),
            None => Seen::Waiting("unknown".into()),
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn ctx<'a>(client: &'a hubctl_core::provider::ProviderClient) -> OpContext<'a> {
        OpContext {
            client,
            address: "aws_eks_cluster.hub",
            timeouts: Default::default(),
            create_token: "",
            recovering: false,
            recovered: &hubctl_core::provider::no_recovery,
            note: &hubctl_core::provider::no_note,
            progress: &|_| {},
        }
    }

    fn assume() -> ProviderError {
        ProviderError::new(
            "eks:CreateCluster",
            "InvalidParameterException: Role with arn: arn:aws:iam::1:role/x, could not be assumed because it does not exist or the trusted entity is not correct",
        )
        .kind(ErrorKind::Invalid)
    }

    #[test]
    fn only_the_role_message_is_taken_for_iam_propagation() {
        assert!(role_not_assumable(&assume()));
        let other = ProviderError::new(
            "eks:CreateCluster",
            "InvalidParameterException: Subnets specified must be in at least two different AZs",
        );
        assert!(!role_not_assumable(&other));
        let code = ProviderError::new(
            "eks:CreateCluster",
            "AccessDeniedException: role cannot be assumed",
        );
        assert!(!role_not_assumable(&code));
    }

    #[tokio::test]
    async fn a_role_not_yet_assumable_is_retried_until_it_is() {
        let client: hubctl_core::provider::ProviderClient = Arc::new(());
        let calls = AtomicUsize::new(0);
        let r = retry_role(
            &ctx(&client),
            "the role",
            Duration::from_secs(30),
            || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 | 1 => Err(assume()),
                    _ => Ok("created"),
                }
            },
        )
        .await;
        assert_eq!(r.unwrap(), "created");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn other_errors_are_not_retried_and_the_wait_is_bounded() {
        let client: hubctl_core::provider::ProviderClient = Arc::new(());
        let calls = AtomicUsize::new(0);
        let r: Result<(), _> = retry_role(
            &ctx(&client),
            "the role",
            Duration::from_secs(30),
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(ProviderError::new(
                    "eks:CreateCluster",
                    "InvalidParameterException: bad subnet",
                ))
            },
        )
        .await;
        assert!(r.unwrap_err().message.contains("bad subnet"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let limit = Duration::from_millis(600);
        let r: Result<(), _> =
            retry_role(&ctx(&client), "the role", limit, || async { Err(assume()) }).await;
        // Out of time: AWS's own answer, not only "timed out".
        assert!(r.unwrap_err().message.contains("could not be assumed"));
    }

    #[test]
    fn an_update_is_followed_to_its_outcome() {
        let u = |s: UpdateStatus| Update::builder().id("u-1").status(s).build();
        assert!(matches!(
            update_seen("x", &u(UpdateStatus::Successful)),
            Seen::Done(())
        ));
        assert!(
            matches!(update_seen("x", &u(UpdateStatus::InProgress)), Seen::Waiting(s) if s == "inprogress")
        );
        let failed = Update::builder()
            .status(UpdateStatus::Failed)
            .errors(
                aws_sdk_eks::types::ErrorDetail::builder()
                    .error_message("no capacity")
                    .build(),
            )
            .build();
        assert!(matches!(update_seen("x", &failed), Seen::Failed(m) if m.contains("no capacity")));
    }
}
