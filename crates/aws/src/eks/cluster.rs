//! `aws_eks_cluster`.
//!
//! API calls: `CreateCluster` (`clientRequestToken`, tags), `DescribeCluster` (waiters and
//! refresh: one call per cluster, EKS has no batch read), `UpdateClusterVersion`,
//! `UpdateClusterConfig` (endpoint access, logging, authentication mode), `DescribeUpdate`,
//! `TagResource` / `UntagResource`, `DeleteCluster`.
//! Force-new: `name`, `role_arn`, `vpc_config[0].subnet_ids` and `security_group_ids`,
//! `encryption_config` (resources and key), `kubernetes_network_config`,
//! `access_config[0].bootstrap_cluster_creator_admin_permissions`,
//! `bootstrap_self_managed_addons`.
//! Waiters: after create, until `ACTIVE` (create timeout, default 30m; `FAILED` fails with
//! the cluster's health issues); after each update, until the update is `Successful`
//! (update timeout, default 60m); after delete, until DescribeCluster says not found
//! (delete timeout, default 15m). Each shows the status on the live line.
//! IAM: a role created a moment ago may not be assumable by EKS yet; CreateCluster is
//! retried on that one refusal for up to 2 minutes ([`super::retry_role`]).
//! Quirk: `bootstrap_self_managed_addons` is not reported by DescribeCluster: state keeps
//! the value applied.

use super::cluster_blocks as blocks;
use super::{retry_role, tag_map, wait_status, Seen, EKS, IAM_PROPAGATION};
use crate::config::AwsClients;
use crate::ec2::request_token;
use crate::managed::{computed_str, created, fetch, field_table, opt, optional_bool};
use crate::managed::{read_one, required_str_new, Field, Lookup, Managed, Op, TagStyle, Tags};
use crate::{error, managed};
use async_trait::async_trait;
use aws_sdk_eks::types::{Cluster as Api, ClusterStatus, Update};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, Invalid, ProviderError};
use std::time::Duration;

pub struct Cluster;

const CREATE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
const UPDATE_TIMEOUT: Duration = Duration::from_secs(60 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(15 * 60);

field_table! { Api;
    ID = api("id", computed_str, |_, x| opt(x.name()));
    NAME = api("name", required_str_new, |_, x| opt(x.name()));
    ARN = api("arn", computed_str, |_, x| opt(x.arn()));
    ROLE = api("role_arn", required_str_new, |_, x| opt(x.role_arn()));
    VERSION = api("version", || AttrSchema::optional_computed(Type::String),
        |_, x| opt(x.version()));
    LOGS = api("enabled_cluster_log_types", || AttrSchema::optional(super::strings_ty(true)),
        |_, x| blocks::read_logs(x));
    ADDONS = kept("bootstrap_self_managed_addons", || optional_bool(true).force_new());
    ENDPOINT = api("endpoint", computed_str, |_, x| opt(x.endpoint()));
    PLATFORM = api("platform_version", computed_str, |_, x| opt(x.platform_version()));
    STATUS = api("status", computed_str, |_, x| opt(x.status().map(|s| s.as_str())));
    CLUSTER_ID = api("cluster_id", computed_str, |_, x| opt(x.id()));
    CREATED_AT = api("created_at", computed_str,
        |_, x| opt(x.created_at().map(|t| t.to_string()).as_deref()));
    CA = api("certificate_authority", || AttrSchema::computed(blocks::certificate_authority_ty()),
        |_, x| blocks::read_certificate(x));
    IDENTITY = api("identity", || AttrSchema::computed(blocks::identity_ty()),
        |_, x| blocks::read_identity(x));
    VPC_CONFIG = block("vpc_config", blocks::vpc_config, |_, x| blocks::read_vpc_config(x));
    ENCRYPTION = block("encryption_config", blocks::encryption_config,
        |_, x| blocks::read_encryption(x));
    ACCESS = block("access_config", blocks::access_config, |_, x| blocks::read_access(x));
    NETWORK = block("kubernetes_network_config", blocks::network_config,
        |_, x| blocks::read_network(x));
}

/// The CreateCluster request of a planned state (without the token), for the call and its
/// unit test.
fn create_request(
    c: &AwsClients,
    planned: &Value,
    tags: &Tags,
) -> aws_sdk_eks::operation::create_cluster::builders::CreateClusterFluentBuilder {
    c.eks
        .create_cluster()
        .set_name(NAME.str(planned))
        .set_role_arn(ROLE.str(planned))
        .set_version(VERSION.str(planned))
        .resources_vpc_config(blocks::vpc_request(planned))
        .set_encryption_config(blocks::encryption_request(planned).map(|e| vec![e]))
        .set_access_config(blocks::access_request(planned))
        .set_kubernetes_network_config(blocks::network_request(planned))
        .set_logging(blocks::logging(planned, false))
        .set_bootstrap_self_managed_addons(ADDONS.bool(planned))
        .set_tags(Some(tags.clone().into_iter().collect()))
}

/// The version to move to in place (UpdateClusterVersion), when it changed to a known one.
fn version_update(prior: &Value, planned: &Value) -> Option<String> {
    let new = VERSION.str(planned)?;
    (VERSION.str(prior).as_deref() != Some(new.as_str())).then_some(new)
}

/// What the create waiter makes of one observation.
fn creation_progress(x: Api) -> Seen<Api> {
    match x.status() {
        Some(ClusterStatus::Active) => Seen::Done(x),
        Some(ClusterStatus::Failed) => {
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
            let why = if why.is_empty() {
                "EKS gave no reason".into()
            } else {
                why.join("; ")
            };
            Seen::Failed(format!(
                "EKS cluster {} failed: {why}",
                x.name().unwrap_or_default()
            ))
        }
        Some(ClusterStatus::Deleting) => Seen::Failed(format!(
            "EKS cluster {} is being deleted",
            x.name().unwrap_or_default()
        )),
        s => Seen::Waiting(s.map_or("unknown", |s| s.as_str()).to_lowercase()),
    }
}

impl Cluster {
    async fn wait_active(
        &self,
        c: &Op<'_>,
        name: &str,
        timeout: Duration,
    ) -> Result<Api, ProviderError> {
        let what = format!("EKS cluster {name} to become active");
        wait_status(c.ctx, "eks:DescribeCluster", &what, timeout, || async {
            Ok(creation_progress(fetch(self, c, name).await?))
        })
        .await
    }

    /// Waits for an update EKS answered, or, where the answer has none (an emulator's),
    /// for the cluster to be active again.
    async fn wait_update(
        &self,
        c: &Op<'_>,
        name: &str,
        u: Option<&Update>,
    ) -> Result<(), ProviderError> {
        let timeout = c.ctx.timeouts.update.unwrap_or(UPDATE_TIMEOUT);
        match u {
            Some(u) => super::wait_update(c.ctx, c, name, None, u, timeout).await,
            None => self.wait_active(c, name, timeout).await.map(|_| ()),
        }
    }

    async fn update_config(
        &self,
        c: &Op<'_>,
        name: &str,
        req: aws_sdk_eks::operation::update_cluster_config::builders::UpdateClusterConfigFluentBuilder,
    ) -> Result<(), ProviderError> {
        let out = req
            .send()
            .await
            .map_err(|e| error::sdk("eks:UpdateClusterConfig", e))?;
        self.wait_update(c, name, out.update()).await
    }
}

#[async_trait]
impl Managed for Cluster {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_eks_cluster";
    const NOUN: &'static str = "EKS cluster";
    const DESCRIBE: &'static str = "eks:DescribeCluster";
    const IDENTITY: managed::Identity = managed::Identity::Name("name");
    const TAGS: TagStyle = EKS;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.name().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        tag_map(x.tags())
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let e = super::first(config, "encryption_config");
        let res = super::strings(e.get_attr("resources"));
        match res.iter().find(|r| r.as_str() != "secrets") {
            Some(r) => vec![Invalid::at(
                &["encryption_config", "0", "resources"],
                "Invalid value",
                format!("EKS encrypts only \"secrets\" with a KMS key, not \"{r}\"."),
            )],
            None => Vec::new(),
        }
    }

    /// One DescribeCluster per name: EKS reads clusters one at a time.
    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let mut out = Vec::new();
        for name in by.keys() {
            match c.eks.describe_cluster().name(name).send().await {
                Ok(r) => out.extend(r.cluster().cloned()),
                Err(e) if error::is_not_found(Self::DESCRIBE, &e) => {}
                Err(e) => return Err(error::sdk(Self::DESCRIBE, e)),
            }
        }
        Ok(out)
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let token = request_token(c.ctx);
        let name = NAME.str(planned).unwrap_or_default();
        let what = format!("IAM to let EKS assume the role of cluster {name}");
        let out = retry_role(c.ctx, &what, IAM_PROPAGATION, || async {
            let req = create_request(c, planned, tags).client_request_token(token.clone());
            req.send()
                .await
                .map_err(|e| error::sdk("eks:CreateCluster", e))
        })
        .await?;
        created::<Self>("eks:CreateCluster", out.cluster())
    }

    async fn finish_create(
        &self,
        c: &Op<'_>,
        _planned: &Value,
        x: Api,
    ) -> Result<Api, ProviderError> {
        // An answer that is already active is the cluster: no poll.
        if x.status() == Some(&ClusterStatus::Active) {
            return Ok(x);
        }
        let name = x.name().unwrap_or_default().to_string();
        let timeout = c.ctx.timeouts.create.unwrap_or(CREATE_TIMEOUT);
        self.wait_active(c, &name, timeout).await
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        name: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        if let Some(version) = version_update(prior, planned) {
            let req = c.eks.update_cluster_version().name(name).version(version);
            let out = req
                .send()
                .await
                .map_err(|e| error::sdk("eks:UpdateClusterVersion", e))?;
            self.wait_update(c, name, out.update()).await?;
        }
        if let Some(vpc) = blocks::vpc_update(prior, planned) {
            let req = c
                .eks
                .update_cluster_config()
                .name(name)
                .resources_vpc_config(vpc);
            self.update_config(c, name, req).await?;
        }
        if LOGS.get(prior) != LOGS.get(planned) {
            let req = c.eks.update_cluster_config().name(name);
            let req = req.set_logging(blocks::logging(planned, true));
            self.update_config(c, name, req).await?;
        }
        if let Some(mode) = blocks::access_update(prior, planned) {
            let access = aws_sdk_eks::types::UpdateAccessConfigRequest::builder();
            let access = access.authentication_mode(mode).build();
            let req = c
                .eks
                .update_cluster_config()
                .name(name)
                .access_config(access);
            self.update_config(c, name, req).await?;
        }
        Ok(None)
    }

    /// Deletes the cluster once its node groups are gone (EKS refuses before), then waits
    /// until it is.
    async fn delete(&self, c: &Op<'_>, name: &str) -> Result<(), ProviderError> {
        let timeout = c.ctx.timeouts.delete.unwrap_or(DELETE_TIMEOUT);
        let what = format!("EKS cluster {name} to be free of node groups");
        managed::wait_for(c.ctx, &what, timeout, || async {
            match c.eks.delete_cluster().name(name).send().await {
                Err(e) if error::code(&e) == Some("ResourceInUseException") => Ok(None),
                Err(e) if error::is_not_found("eks:DeleteCluster", &e) => Ok(Some(())),
                Err(e) => Err(error::sdk("eks:DeleteCluster", e)),
                Ok(_) => Ok(Some(())),
            }
        })
        .await?;
        let what = format!("EKS cluster {name} to be deleted");
        wait_status(c.ctx, Self::DESCRIBE, &what, timeout, || async {
            Ok(match read_one(self, c, name).await? {
                None => Seen::Done(()),
                Some(x) => {
                    Seen::Waiting(x.status().map_or("deleting", |s| s.as_str()).to_lowercase())
                }
            })
        })
        .await
    }
}

/// The planned version change, for tests at plan level.
#[cfg(test)]
pub(super) fn planned_version(prior: &Value, planned: &Value) -> Option<String> {
    version_update(prior, planned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::{assert_read_matches_schema, schema_for};
    use aws_sdk_eks::types::{Certificate, Identity, Oidc, VpcConfigResponse};
    use hubctl_core::provider::plan_by_schema;

    fn api() -> Api {
        Api::builder()
            .name("hub")
            .arn("arn:aws:eks:us-east-1:123456789012:cluster/hub")
            .version("1.31")
            .status(ClusterStatus::Active)
            .certificate_authority(Certificate::builder().data("Q0E=").build())
            .identity(
                Identity::builder()
                    .oidc(Oidc::builder().issuer("https://oidc.eks/id/1").build())
                    .build(),
            )
            .resources_vpc_config(
                VpcConfigResponse::builder()
                    .subnet_ids("subnet-1")
                    .subnet_ids("subnet-2")
                    .vpc_id("vpc-1")
                    .endpoint_public_access(true)
                    .build(),
            )
            .build()
    }

    #[test]
    fn read_returns_exactly_the_schema() {
        assert_read_matches_schema(Cluster, &api());
    }

    fn state(version: &str, key: &str, subnets: &[&str]) -> Value {
        let c = crate::config::test_clients(Default::default());
        let mut v = managed::from_api(&Cluster, &c, &api(), &Value::Null);
        let m = v.as_map_mut().unwrap();
        m.insert("version".into(), Value::from(version));
        let vpc = super::super::first(&Value::Object(m.clone()), "vpc_config").clone();
        let mut vpc = vpc.as_map().unwrap().clone();
        let subnets = subnets.iter().map(|s| Value::from(*s)).collect();
        vpc.insert("subnet_ids".into(), Value::set(subnets));
        m.insert("vpc_config".into(), Value::List(vec![Value::Object(vpc)]));
        let enc = Value::object([
            ("resources", Value::set(vec![Value::from("secrets")])),
            (
                "provider",
                Value::List(vec![Value::object([("key_arn", Value::from(key))])]),
            ),
        ]);
        m.insert("encryption_config".into(), Value::List(vec![enc]));
        v
    }

    #[test]
    fn a_version_change_updates_in_place_and_a_key_or_subnet_change_replaces() {
        let schema = schema_for::<Cluster>();
        let prior = state("1.30", "arn:k1", &["subnet-1", "subnet-2"]);
        let p = plan_by_schema(
            &schema,
            Some(&prior),
            state("1.31", "arn:k1", &["subnet-1", "subnet-2"]),
        );
        assert!(p.requires_replace.is_empty(), "{:?}", p.requires_replace);
        assert_eq!(planned_version(&prior, &p.planned).as_deref(), Some("1.31"));
        let p = plan_by_schema(
            &schema,
            Some(&prior),
            state("1.30", "arn:k2", &["subnet-1", "subnet-2"]),
        );
        assert_eq!(
            p.requires_replace,
            ["encryption_config[0].provider[0].key_arn"]
        );
        let p = plan_by_schema(
            &schema,
            Some(&prior),
            state("1.30", "arn:k1", &["subnet-1", "subnet-3"]),
        );
        assert_eq!(p.requires_replace, ["vpc_config[0].subnet_ids"]);
    }

    #[test]
    fn update_cluster_version_request_names_the_cluster_and_version() {
        let c = crate::config::test_clients(Default::default());
        let prior = state("1.30", "k", &["subnet-1"]);
        let planned = state("1.31", "k", &["subnet-1"]);
        let v = version_update(&prior, &planned).unwrap();
        let req = c.eks.update_cluster_version().name("hub").version(v);
        assert_eq!(req.as_input().get_name().as_deref(), Some("hub"));
        assert_eq!(req.as_input().get_version().as_deref(), Some("1.31"));
        assert_eq!(version_update(&prior, &prior), None);
    }

    #[test]
    #[allow(deprecated)]
    fn create_request_carries_the_blocks() {
        let c = crate::config::test_clients(Default::default());
        let planned = state(
            "1.31",
            "arn:aws:kms:us-east-1:1:key/k",
            &["subnet-1", "subnet-2"],
        );
        let req = create_request(&c, &planned, &Tags::new());
        let i = req.as_input();
        let enc = &i.get_encryption_config().as_ref().unwrap()[0];
        assert_eq!(enc.resources(), ["secrets"]);
        let key = enc.provider().and_then(|p| p.key_arn());
        assert_eq!(key, Some("arn:aws:kms:us-east-1:1:key/k"));
        let vpc = i.get_resources_vpc_config().as_ref().unwrap();
        assert_eq!(vpc.subnet_ids(), ["subnet-1", "subnet-2"]);
        assert_eq!(i.get_version().as_deref(), Some("1.31"));
        assert!(
            i.get_access_config().is_none(),
            "no access_config block, none sent"
        );
    }

    #[test]
    fn a_failed_cluster_fails_the_create_with_its_health_issues() {
        let mut x = api();
        x.status = Some(ClusterStatus::Creating);
        assert!(matches!(creation_progress(x.clone()), Seen::Waiting(s) if s == "creating"));
        x.status = Some(ClusterStatus::Failed);
        assert!(matches!(creation_progress(x), Seen::Failed(m) if m.contains("hub failed")));
    }
}
