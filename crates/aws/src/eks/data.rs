//! Data sources `aws_eks_cluster` (one DescribeCluster; the resource's attributes, nested
//! blocks as lists of objects) and `aws_eks_cluster_auth` (a token for the cluster's
//! Kubernetes API, made locally from the provider's credentials: no API call), and the
//! ephemeral `aws_eks_cluster_auth`, the same token kept out of state.

use super::cluster::Cluster;
use super::token;
use crate::config::clients;
use crate::managed::{fetch, from_api, schema_for};
use async_trait::async_trait;
use aws_credential_types::provider::ProvideCredentials;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{
    AttrSchema, DataSource, EphemeralResource, OpContext, Opened, ProviderError, Schema,
};
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
        let name = super::s(config, "name").unwrap_or_default();
        let t = sign(ctx, &name).await?;
        Ok(Value::object([
            ("name", Value::from(name.as_str())),
            ("id", Value::from(name.as_str())),
            ("token", Value::from(t).sensitive()),
        ]))
    }
}

/// A token for cluster `name`, presigned from the provider's credentials and region.
async fn sign(ctx: &OpContext<'_>, name: &str) -> Result<String, ProviderError> {
    let c = clients(ctx)?;
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
    token::token(creds, &c.region, name, std::time::SystemTime::now())
        .map_err(|e| ProviderError::new("", format!("signing the EKS token: {e}")))
}

/// `ephemeral "aws_eks_cluster_auth"` (AWS provider 5.x, Terraform 1.10): the same token as
/// the data source, but never written to state or a plan file, so a saved plan applied
/// later signs a fresh one instead of carrying an expired (and secret) token.
pub struct EphemeralClusterAuth;

fn ephemeral_auth_schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        Schema::new()
            .attr("name", AttrSchema::required(Type::String))
            .attr("token", AttrSchema::computed(Type::String).sensitive())
    })
}

#[async_trait]
impl EphemeralResource for EphemeralClusterAuth {
    fn type_name(&self) -> &'static str {
        "aws_eks_cluster_auth"
    }

    fn schema(&self) -> &Schema {
        ephemeral_auth_schema()
    }

    async fn open(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Opened, ProviderError> {
        let name = super::s(config, "name").unwrap_or_default();
        let t = sign(ctx, &name).await?;
        Ok(Opened::value(Value::object([
            ("name", Value::from(name.as_str())),
            ("token", Value::from(t).sensitive()),
        ])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AwsProvider;
    use hubctl_core::provider::ephemeral_conformance::{ephemeral_suite, EphemeralCase};
    use hubctl_core::provider::Provider;
    use std::sync::Arc;

    /// A provider configured with static keys and no account lookup: signing needs no call.
    async fn client() -> hubctl_core::provider::ProviderClient {
        let config = Value::object([
            ("region", Value::from("eu-west-1")),
            ("access_key", Value::from("AKIDEXAMPLE")),
            ("secret_key", Value::from("secret").sensitive()),
            ("skip_credentials_validation", Value::from(true)),
            ("skip_requesting_account_id", Value::from(true)),
        ]);
        AwsProvider.configure(&config).await.expect("configure")
    }

    #[tokio::test]
    async fn the_ephemeral_cluster_auth_passes_the_ephemeral_suite() {
        let case = EphemeralCase {
            resource: Arc::new(EphemeralClusterAuth),
            client: client().await,
            address: "ephemeral.aws_eks_cluster_auth.hub",
            config: Value::object([("name", Value::from("hub")), ("token", Value::Null)]),
        };
        ephemeral_suite(&case).await;
    }

    #[tokio::test]
    async fn its_token_is_a_sensitive_eks_token_signed_for_the_region() {
        let c = client().await;
        let ctx = OpContext {
            client: &c,
            address: "ephemeral.aws_eks_cluster_auth.hub",
            timeouts: Default::default(),
            create_token: "",
            recovering: false,
            recovered: &hubctl_core::provider::no_recovery,
            note: &hubctl_core::provider::no_note,
            progress: &|_| {},
        };
        let config = Value::object([("name", Value::from("hub"))]);
        let o = EphemeralClusterAuth.open(&ctx, &config).await.unwrap();
        let token = &o.value.as_map().unwrap()["token"];
        assert!(token.is_sensitive(), "{token:?}");
        let t = token.peel().as_str().unwrap().to_string();
        assert!(t.starts_with("k8s-aws-v1."), "{t}");
        use base64::Engine;
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&t["k8s-aws-v1.".len()..])
            .unwrap();
        let url = String::from_utf8(url).unwrap();
        assert!(url.contains("sts.eu-west-1.amazonaws.com"), "{url}");
        assert!(o.private.is_null(), "nothing to release");
    }
}
