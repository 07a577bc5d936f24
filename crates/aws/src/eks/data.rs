//! Data sources `aws_eks_cluster` (one DescribeCluster; the resource's attributes, nested
//! blocks as lists of objects) and `aws_eks_cluster_auth` (a token for the cluster's
//! Kubernetes API, made locally from the provider's credentials: no API call).

use super::cluster::Cluster;
use super::token;
use crate::config::clients;
use crate::managed::{fetch, from_api, schema_for};
use async_trait::async_trait;
use aws_credential_types::provider::ProvideCredentials;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, DataSource, OpContext, ProviderError, Schema};
use std::sync::OnceLock;

pub struct ClusterData;

/// The resource's schema read-only: `name` required, everything else computed (blocks as
/// attributes of their object type), without `tags_all`.
fn cluster_schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let r = schema_for::<Cluster>();
        let mut s = Schema::new();
        for (k, a) in &r.attributes {
            if k == "tags_all" {
                continue;
            }
            s = s.attr(k, AttrSchema::computed(a.ty.clone()));
        }
        for (k, b) in &r.blocks {
            let ty = Type::List(Box::new(b.schema.object_type()));
            s = s.attr(k, AttrSchema::computed(ty));
        }
        s.attr("name", AttrSchema::required(Type::String))
    })
}

#[async_trait]
impl DataSource for ClusterData {
    fn type_name(&self) -> &'static str {
        "aws_eks_cluster"
    }

    fn schema(&self) -> &Schema {
        cluster_schema()
    }

    async fn read(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let name = super::s(config, "name").unwrap_or_default();
        let x = fetch(&Cluster, c, &name).await?;
        let mut v = from_api(&Cluster, c, &x, &Value::Null);
        if let Some(m) = v.as_map_mut() {
            m.remove("tags_all");
        }
        Ok(v)
    }
}

pub struct ClusterAuth;

fn auth_schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        Schema::new()
            .attr("name", AttrSchema::required(Type::String))
            .attr("id", AttrSchema::computed(Type::String))
            .attr("token", AttrSchema::computed(Type::String).sensitive())
    })
}

#[async_trait]
impl DataSource for ClusterAuth {
    fn type_name(&self) -> &'static str {
        "aws_eks_cluster_auth"
    }

    fn schema(&self) -> &Schema {
        auth_schema()
    }

    async fn read(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let name = super::s(config, "name").unwrap_or_default();
        let provider = c.credentials.as_ref().ok_or_else(|| {
            ProviderError::new(
                "",
                "no AWS credentials are configured to sign the EKS token",
            )
        })?;
        let creds = provider.provide_credentials().await.map_err(|e| {
            ProviderError::new(
                "",
                format!("loading the AWS credentials for the EKS token: {e}"),
            )
        })?;
        let t = token::token(creds, &c.region, &name, std::time::SystemTime::now())
            .map_err(|e| ProviderError::new("", format!("signing the EKS token: {e}")))?;
        Ok(Value::object([
            ("name", Value::from(name.as_str())),
            ("id", Value::from(name.as_str())),
            ("token", Value::from(t).sensitive()),
        ]))
    }
}
