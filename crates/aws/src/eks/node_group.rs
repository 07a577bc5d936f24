//! `aws_eks_node_group`.
//!
//! API calls: `CreateNodegroup` (`clientRequestToken`, tags), `DescribeNodegroup` (waiters
//! and refresh: one call per group), `UpdateNodegroupConfig` (scaling, labels, taints,
//! update_config), `UpdateNodegroupVersion`, `DescribeUpdate`, `TagResource` /
//! `UntagResource`, `DeleteNodegroup`.
//! Id: `<cluster_name>:<node_group_name>` (Terraform's import id too).
//! Force-new: `cluster_name`, `node_group_name(_prefix)`, `node_role_arn`, `subnet_ids`,
//! `ami_type`, `capacity_type`, `disk_size`, `instance_types`, `remote_access`.
//! Waiters: after create, until `ACTIVE` (create timeout, default 60m; `CREATE_FAILED`
//! fails with the group's health issues); after an update, until it is `Successful`
//! (update timeout, default 60m); after delete, until gone (delete timeout, default 60m).
//! Quirks: `disk_size` is sent as 20 (EKS's default) when left out, so every answer has a
//! number; `remote_access` is sent only when written.

use super::node_group_blocks as blocks;
use super::{first, map_arg, s, str_list, str_map, str_set, strings, tag_map};
use super::{wait_status, wait_update, Seen, EKS};
use crate::config::AwsClients;
use crate::ec2::{client_token, request_token};
use crate::error;
use crate::managed::{computed_str, created, fetch, field_table, import_parts, opt, read_one};
use crate::managed::{optional_str_new, required_str_new, Field, Lookup, Managed, Op};
use crate::managed::{Identity, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_eks::types::{AmiTypes, CapacityTypes, Nodegroup as Api, NodegroupStatus};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::validate::conflicts_with;
use hubctl_core::provider::{AttrSchema, Invalid, ProviderError};
use std::time::Duration;

pub struct NodeGroup;

const TIMEOUT: Duration = Duration::from_secs(60 * 60);

fn new_computed(ty: Type) -> AttrSchema {
    AttrSchema::optional_computed(ty).force_new()
}

field_table! { Api;
    ID = api("id", computed_str, |_, x| match (x.cluster_name(), x.nodegroup_name()) {
        (Some(c), Some(n)) => Value::from(format!("{c}:{n}")),
        _ => Value::Null,
    });
    CLUSTER = api("cluster_name", required_str_new, |_, x| opt(x.cluster_name()));
    NAME = api("node_group_name", || new_computed(Type::String), |_, x| opt(x.nodegroup_name()));
    PREFIX = kept("node_group_name_prefix", optional_str_new);
    ARN = api("arn", computed_str, |_, x| opt(x.nodegroup_arn()));
    ROLE = api("node_role_arn", required_str_new, |_, x| opt(x.node_role()));
    SUBNETS = api("subnet_ids", || AttrSchema::required(super::strings_ty(true)).force_new(),
        |_, x| str_set(x.subnets()));
    AMI = api("ami_type", || new_computed(Type::String),
        |_, x| opt(x.ami_type().map(|a| a.as_str())));
    CAPACITY = api("capacity_type", || new_computed(Type::String),
        |_, x| opt(x.capacity_type().map(|a| a.as_str())));
    DISK = api("disk_size", || new_computed(Type::Number),
        |_, x| x.disk_size().map_or(Value::Null, |n| Value::int(n.into())));
    INSTANCES = api("instance_types", || new_computed(super::strings_ty(false)),
        |_, x| str_list(x.instance_types()));
    LABELS = api("labels", || AttrSchema::optional(Type::Map(Box::new(Type::String))),
        |_, x| str_map(x.labels()));
    VERSION = api("version", || AttrSchema::optional_computed(Type::String),
        |_, x| opt(x.version()));
    RELEASE = api("release_version", || AttrSchema::optional_computed(Type::String),
        |_, x| opt(x.release_version()));
    FORCE = kept("force_update_version", || AttrSchema::optional(Type::Bool));
    STATUS = api("status", computed_str, |_, x| opt(x.status().map(|s| s.as_str())));
    RESOURCES = api("resources", || AttrSchema::computed(blocks::resources_ty()),
        |_, x| blocks::read_resources(x));
    SCALING = block("scaling_config", blocks::scaling_config, |_, x| blocks::read_scaling(x));
    UPDATE = block("update_config", blocks::update_config, |_, x| blocks::read_update_config(x));
    TAINT = block("taint", blocks::taint, |_, x| blocks::read_taints(x));
    REMOTE = block("remote_access", blocks::remote_access, |_, x| blocks::read_remote_access(x));
}

/// The name to create: the configured one, else the prefix (Terraform's `terraform-` when
/// none) followed by a unique suffix.
fn name_for(planned: &Value) -> String {
    if let Some(n) = NAME.str(planned) {
        return n;
    }
    let prefix = PREFIX.str(planned).unwrap_or_else(|| "terraform-".into());
    let token = client_token(&prefix);
    format!("{prefix}{}", &token[..26])
}

fn create_request(
    c: &AwsClients,
    planned: &Value,
    name: &str,
    tags: &Tags,
) -> aws_sdk_eks::operation::create_nodegroup::builders::CreateNodegroupFluentBuilder {
    let instances = strings(INSTANCES.get(planned));
    let labels = map_arg(planned, "labels");
    c.eks
        .create_nodegroup()
        .set_cluster_name(CLUSTER.str(planned))
        .nodegroup_name(name)
        .set_node_role(ROLE.str(planned))
        .set_subnets(Some(strings(SUBNETS.get(planned))))
        .scaling_config(blocks::scaling_request(planned))
        .set_update_config(blocks::update_config_request(planned))
        .set_ami_type(AMI.str(planned).map(|a| AmiTypes::from(a.as_str())))
        .set_capacity_type(
            CAPACITY
                .str(planned)
                .map(|a| CapacityTypes::from(a.as_str())),
        )
        .disk_size(super::int(planned, "disk_size").unwrap_or(20))
        .set_instance_types(Some(instances).filter(|i| !i.is_empty()))
        .set_labels(
            Some(labels.into_iter().collect())
                .filter(|l: &std::collections::HashMap<_, _>| !l.is_empty()),
        )
        .set_taints(blocks::taints_request(planned))
        .set_remote_access(blocks::remote_access_request(planned))
        .set_version(VERSION.str(planned))
        .set_release_version(RELEASE.str(planned))
        .set_tags(Some(tags.clone().into_iter().collect()))
}

fn creation_progress(x: Api) -> Seen<Api> {
    let id = format!(
        "{}:{}",
        x.cluster_name().unwrap_or_default(),
        x.nodegroup_name().unwrap_or_default()
    );
    match x.status() {
        Some(NodegroupStatus::Active) => Seen::Done(x),
        Some(NodegroupStatus::CreateFailed | NodegroupStatus::Degraded) => {
            let issues = x.health().map(|h| h.issues()).unwrap_or_default();
            let why: Vec<String> = issues
                .iter()
                .map(|i| {
                    format!(
                        "{}: {}",
                        i.code().map_or("", |c| c.as_str()),
                        i.message().unwrap_or("")
                    )
                })
                .collect();
            Seen::Failed(format!("EKS node group {id} failed: {}", why.join("; ")))
        }
        Some(NodegroupStatus::Deleting | NodegroupStatus::DeleteFailed) => {
            Seen::Failed(format!("EKS node group {id} is being deleted"))
        }
        s => Seen::Waiting(s.map_or("unknown", |s| s.as_str()).to_lowercase()),
    }
}

fn split(key: &str) -> (&str, &str) {
    key.split_once(':').unwrap_or((key, ""))
}

#[async_trait]
impl Managed for NodeGroup {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_eks_node_group";
    const NOUN: &'static str = "EKS node group";
    const DESCRIBE: &'static str = "eks:DescribeNodegroup";
    const IDENTITY: Identity = Identity::Composite;
    const TAGS: TagStyle = EKS;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        Some(format!("{}:{}", x.cluster_name()?, x.nodegroup_name()?))
    }

    fn tags(x: &Api) -> Tags {
        tag_map(x.tags())
    }

    /// `cluster:name`, from the id or from the two arguments (a create in flight).
    fn state_key(state: &Value) -> Option<String> {
        if let Some(id) = s(state, "id").filter(|i| !i.is_empty()) {
            return Some(id);
        }
        Some(format!("{}:{}", CLUSTER.str(state)?, NAME.str(state)?))
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let mut out = blocks::validate_update_config(config);
        out.extend(conflicts_with(
            config,
            "node_group_name",
            "node_group_name_prefix",
        ));
        let s = first(config, "scaling_config");
        let n = |k: &str| s.get_attr(k).and_then(Value::as_number);
        if let (Some(min), Some(max), Some(d)) = (n("min_size"), n("max_size"), n("desired_size")) {
            if !(min <= d && d <= max) {
                out.push(Invalid::at(
                    &["scaling_config", "0", "desired_size"],
                    "Invalid scaling_config",
                    format!(
                        "desired_size ({d}) must be between min_size ({min}) and max_size ({max})."
                    ),
                ));
            }
        }
        out
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let mut out = Vec::new();
        for key in by.keys() {
            let (cluster, name) = split(key);
            let r = c
                .eks
                .describe_nodegroup()
                .cluster_name(cluster)
                .nodegroup_name(name)
                .send()
                .await;
            match r {
                Ok(r) => out.extend(r.nodegroup().cloned()),
                Err(e) if error::is_not_found(Self::DESCRIBE, &e) => {}
                Err(e) => return Err(error::sdk(Self::DESCRIBE, e)),
            }
        }
        Ok(out)
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let name = name_for(planned);
        let req =
            create_request(c, planned, &name, tags).client_request_token(request_token(c.ctx));
        let out = req
            .send()
            .await
            .map_err(|e| error::sdk("eks:CreateNodegroup", e))?;
        created::<Self>("eks:CreateNodegroup", out.nodegroup())
    }

    async fn finish_create(
        &self,
        c: &Op<'_>,
        _planned: &Value,
        x: Api,
    ) -> Result<Api, ProviderError> {
        // An answer that is already active is the node group: no poll.
        if x.status() == Some(&NodegroupStatus::Active) {
            return Ok(x);
        }
        let key = Self::key(&x).unwrap_or_default();
        let what = format!("EKS node group {key} to become active");
        let timeout = c.ctx.timeouts.create.unwrap_or(TIMEOUT);
        wait_status(c.ctx, Self::DESCRIBE, &what, timeout, || async {
            Ok(creation_progress(fetch(self, c, &key).await?))
        })
        .await
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        key: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let (cluster, name) = split(key);
        let timeout = c.ctx.timeouts.update.unwrap_or(TIMEOUT);
        let versions = [&VERSION, &RELEASE];
        if versions
            .iter()
            .any(|f| f.str(planned).is_some() && f.str(prior) != f.str(planned))
        {
            let req = c
                .eks
                .update_nodegroup_version()
                .cluster_name(cluster)
                .nodegroup_name(name);
            let req = req
                .set_version(VERSION.str(planned))
                .set_release_version(RELEASE.str(planned));
            let req = req.set_force(FORCE.bool(planned));
            let out = req
                .send()
                .await
                .map_err(|e| error::sdk("eks:UpdateNodegroupVersion", e))?;
            if let Some(u) = out.update() {
                wait_update(c.ctx, c, cluster, Some(name), u, timeout).await?;
            }
        }
        let req = c
            .eks
            .update_nodegroup_config()
            .cluster_name(cluster)
            .nodegroup_name(name);
        let mut req = req;
        let mut any = false;
        if SCALING.get(prior) != SCALING.get(planned) {
            req = req.scaling_config(blocks::scaling_request(planned));
            any = true;
        }
        if UPDATE
            .get(planned)
            .is_some_and(|u| u.as_seq().is_some_and(|s| !s.is_empty()))
            && UPDATE.get(prior) != UPDATE.get(planned)
        {
            req = req.set_update_config(blocks::update_config_request(planned));
            any = true;
        }
        if let Some(l) =
            blocks::labels_update(&map_arg(prior, "labels"), &map_arg(planned, "labels"))
        {
            req = req.labels(l);
            any = true;
        }
        if let Some(t) = blocks::taints_update(prior, planned) {
            req = req.taints(t);
            any = true;
        }
        if any {
            let out = req
                .send()
                .await
                .map_err(|e| error::sdk("eks:UpdateNodegroupConfig", e))?;
            if let Some(u) = out.update() {
                wait_update(c.ctx, c, cluster, Some(name), u, timeout).await?;
            }
        }
        Ok(None)
    }

    async fn import_key(&self, _c: &AwsClients, id: &str) -> Result<String, ProviderError> {
        let (a, b) = import_parts(Self::TYPE_NAME, id, ':', "cluster-name:node-group-name")?;
        Ok(format!("{a}:{b}"))
    }

    async fn delete(&self, c: &Op<'_>, key: &str) -> Result<(), ProviderError> {
        let (cluster, name) = split(key);
        let r = c
            .eks
            .delete_nodegroup()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .send()
            .await;
        r.map_err(|e| error::sdk("eks:DeleteNodegroup", e))?;
        let what = format!("EKS node group {key} to be deleted");
        let timeout = c.ctx.timeouts.delete.unwrap_or(TIMEOUT);
        wait_status(c.ctx, Self::DESCRIBE, &what, timeout, || async {
            Ok(match read_one(self, c, key).await? {
                None => Seen::Done(()),
                Some(x) => {
                    Seen::Waiting(x.status().map_or("deleting", |s| s.as_str()).to_lowercase())
                }
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::assert_read_matches_schema;
    use aws_sdk_eks::types::{NodegroupScalingConfig, RemoteAccessConfig};

    fn api() -> Api {
        Api::builder()
            .cluster_name("hub")
            .nodegroup_name("default")
            .status(NodegroupStatus::Active)
            .subnets("subnet-1")
            .scaling_config(
                NodegroupScalingConfig::builder()
                    .desired_size(2)
                    .min_size(1)
                    .max_size(3)
                    .build(),
            )
            .remote_access(
                RemoteAccessConfig::builder()
                    .ec2_ssh_key("eksKeypair")
                    .build(),
            )
            .disk_size(20)
            .build()
    }

    #[test]
    fn read_returns_exactly_the_schema() {
        assert_read_matches_schema(NodeGroup, &api());
    }

    #[test]
    fn an_echoed_remote_access_is_no_diff_for_a_group_created_without_one() {
        let c = crate::config::test_clients(Default::default());
        let base = Value::object([
            ("remote_access", Value::List(vec![])),
            (
                "update_config",
                Value::List(vec![Value::object([
                    ("max_unavailable", Value::int(1)),
                    ("max_unavailable_percentage", Value::Null),
                ])]),
            ),
        ]);
        let v = crate::managed::from_api(&NodeGroup, &c, &api(), &base);
        assert_eq!(v.get_attr("remote_access"), Some(&Value::List(vec![])));
        // CreateNodegroup dropped update_config: the state keeps what was applied.
        assert_eq!(v.get_attr("update_config"), base.get_attr("update_config"));
        assert_eq!(v.get_attr("id"), Some(&Value::from("hub:default")));
    }

    #[test]
    fn a_prefix_names_the_group_uniquely() {
        let planned = Value::object([
            ("node_group_name", Value::Null),
            ("node_group_name_prefix", Value::from("hub-")),
        ]);
        let (a, b) = (name_for(&planned), name_for(&planned));
        assert!(a.starts_with("hub-") && a.len() == 30, "{a}");
        assert_ne!(a, b);
        let c = crate::config::test_clients(Default::default());
        let req = create_request(&c, &planned, &a, &Tags::new());
        assert_eq!(req.as_input().get_disk_size(), &Some(20));
        assert!(
            req.as_input().get_remote_access().is_none(),
            "remote_access only when written"
        );
    }
}
