//! The `provider "aws"` block → one `SdkConfig` and the clients built from it.
//!
//! Region, credentials and endpoints follow the SDK's standard sources (`AWS_REGION`,
//! `AWS_PROFILE`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`, the default credential
//! chain) unless the block sets them; the block also accepts the arguments Terraform users'
//! local-emulator setups carry (`access_key`, `secret_key`, `skip_*`, `endpoints { ... }`).
//! Unless `skip_credentials_validation` is set, configuring calls `sts:GetCallerIdentity`
//! once, so bad credentials or a wrong endpoint fail before any resource is touched; unless
//! `skip_region_validation` is set, the region must be one of an AWS partition's.
//! `insecure` is not in the schema (so it is refused where it is written): hubctl always
//! verifies TLS certificates. `s3_use_path_style`, `skip_metadata_api_check` and endpoints
//! of services the provider makes no call to are accepted with a warning at the argument
//! (Terraform configurations carry them; they change nothing here yet).

use crate::auth::{strings, AssumeRole, Auth};
use crate::error;
use async_trait::async_trait;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{
    AttrSchema, BlockSchema, DataSource, Invalid, Nesting, OpContext, Provider, ProviderClient,
    ProviderError, Resource, Schema,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The clients of one configured provider, shared by every resource that uses it.
#[derive(Clone)]
pub struct AwsClients {
    pub ec2: aws_sdk_ec2::Client,
    pub iam: aws_sdk_iam::Client,
    pub kms: aws_sdk_kms::Client,
    pub eks: aws_sdk_eks::Client,
    pub sts: aws_sdk_sts::Client,
    /// The credentials the clients sign with, for what hubctl signs itself (the EKS token).
    pub credentials: Option<aws_credential_types::provider::SharedCredentialsProvider>,
    pub region: String,
    pub account_id: Option<String>,
    pub default_tags: BTreeMap<String, String>,
    /// Set only on the copy a refresh reads through, when one account snapshot answers
    /// many IAM reads ([`crate::iam::snapshot`]).
    pub iam_snapshot: Option<Arc<crate::iam::snapshot::Snapshot>>,
    /// Likewise for the route tables of a refresh's route types
    /// ([`crate::ec2::route_snapshot`]).
    pub route_tables: Option<Arc<crate::ec2::route_snapshot::Tables>>,
}

/// The configured clients behind an operation's context.
pub fn clients<'a>(ctx: &'a OpContext<'_>) -> Result<&'a AwsClients, ProviderError> {
    ctx.client.downcast_ref::<AwsClients>().ok_or_else(|| {
        ProviderError::new(
            "",
            "internal error: the AWS provider was not configured for this resource",
        )
    })
}

/// Service names accepted in `endpoints { ... }`.
const SERVICES: &[&str] = &["ec2", "s3", "sts", "iam", "eks", "kms", "dynamodb"];

fn schema() -> Schema {
    let s = |n: &str, sch: Schema| sch.attr(n, AttrSchema::optional(Type::String));
    let b = |n: &str, sch: Schema| sch.attr(n, AttrSchema::optional(Type::Bool));
    let mut sch = Schema::new();
    for n in ["region", "access_key", "profile"] {
        sch = s(n, sch);
    }
    for n in ["shared_config_files", "shared_credentials_files"] {
        sch = sch.attr(n, AttrSchema::optional(Type::List(Box::new(Type::String))));
    }
    sch = sch
        .attr("secret_key", AttrSchema::optional(Type::String).sensitive())
        .attr("token", AttrSchema::optional(Type::String).sensitive())
        .attr("max_retries", AttrSchema::optional(Type::Number));
    for n in [
        "skip_credentials_validation",
        "skip_requesting_account_id",
        "skip_metadata_api_check",
        "skip_region_validation",
        "s3_use_path_style",
        "s3_force_path_style",
    ] {
        sch = b(n, sch);
    }
    let mut endpoints = Schema::new();
    for svc in SERVICES {
        endpoints = s(svc, endpoints);
    }
    sch.block(
        "default_tags",
        BlockSchema {
            nesting: Nesting::Single,
            min_items: 0,
            max_items: Some(1),
            force_new: false,
            schema: Schema::new().attr(
                "tags",
                AttrSchema::optional(Type::Map(Box::new(Type::String))),
            ),
        },
    )
    .block(
        "assume_role",
        BlockSchema {
            nesting: Nesting::Single,
            min_items: 0,
            max_items: Some(1),
            force_new: false,
            schema: ["role_arn", "session_name", "external_id", "duration"]
                .into_iter()
                .fold(Schema::new(), |sch, n| s(n, sch)),
        },
    )
    .block(
        "endpoints",
        BlockSchema {
            nesting: Nesting::Single,
            min_items: 0,
            max_items: Some(1),
            force_new: false,
            schema: endpoints,
        },
    )
}

fn string(v: &Value, k: &str) -> Option<String> {
    // Through a sensitive mark (`secret_key`): the value goes to the SDK only.
    v.get_attr(k)
        .and_then(|x| x.peel().as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn flag(v: &Value, k: &str) -> bool {
    v.get_attr(k)
        .and_then(|x| x.peel().as_bool())
        .unwrap_or(false)
}

/// The endpoint for a service: `endpoints { svc = ... }` wins over the environment.
pub fn endpoint(config: &Value, service: &str) -> Option<String> {
    config
        .get_attr("endpoints")
        .and_then(|e| string(e, service))
}

/// The provider block's authentication arguments.
pub fn auth(config: &Value) -> Result<Auth, String> {
    let assume_role = match config.get_attr("assume_role").filter(|r| !r.is_null()) {
        None => None,
        Some(r) => Some(AssumeRole {
            role_arn: string(r, "role_arn")
                .ok_or("assume_role needs role_arn (the ARN of the role to assume)")?,
            session_name: string(r, "session_name"),
            external_id: string(r, "external_id"),
            duration: string(r, "duration")
                .map(|d| crate::auth::parse_duration(&d, "assume_role.duration"))
                .transpose()?,
        }),
    };
    Ok(Auth {
        region: string(config, "region"),
        profile: string(config, "profile"),
        access_key: string(config, "access_key"),
        secret_key: string(config, "secret_key"),
        token: string(config, "token"),
        shared_config_files: strings(config.get_attr("shared_config_files")),
        shared_credentials_files: strings(config.get_attr("shared_credentials_files")),
        max_retries: config
            .get_attr("max_retries")
            .and_then(|x| x.peel().as_number())
            .map(|n| n.max(0.0) as u32),
        assume_role,
        sts_endpoint: endpoint(config, "sts"),
    })
}

/// Services the provider builds clients for; an endpoint for another one changes nothing.
const CLIENT_SERVICES: &[&str] = &["ec2", "sts", "iam", "kms", "eks"];

/// Arguments Terraform configurations carry that are accepted but change nothing in hubctl
/// yet: a warning at each, so nothing a user writes is silently ignored.
fn without_effect(config: &Value) -> Vec<Invalid> {
    let set = |v: &Value, k: &str| v.get_attr(k).is_some_and(|x| !x.is_null());
    let mut out = Vec::new();
    for name in ["s3_use_path_style", "s3_force_path_style"] {
        if set(config, name) {
            out.push(Invalid::warn_at(
                &[name],
                "Argument has no effect",
                format!("\"{name}\" sets how S3 is addressed, but hubctl's AWS provider has no S3 resource type yet, so it changes nothing. (The S3 state backend has its own `use_path_style`.)"),
            ));
        }
    }
    if set(config, "skip_metadata_api_check") {
        out.push(Invalid::warn_at(
            &["skip_metadata_api_check"],
            "Argument has no effect",
            "hubctl's credential chain cannot be told to skip the instance-metadata service from the provider block; set the environment variable AWS_EC2_METADATA_DISABLED=true instead.",
        ));
    }
    let endpoints = config.get_attr("endpoints");
    for svc in SERVICES.iter().filter(|s| !CLIENT_SERVICES.contains(s)) {
        if endpoints.is_some_and(|e| set(e, svc)) {
            out.push(Invalid::warn_at(
                &["endpoints", svc],
                "Endpoint has no effect",
                format!("hubctl's AWS provider has no {svc} resource type yet, so it makes no {svc} call and this endpoint changes nothing."),
            ));
        }
    }
    out
}

/// One service's client from the shared SDK configuration, with the block's endpoint override
/// and the API-call log every client carries.
macro_rules! service_client {
    ($krate:ident, $sdk:expr, $config:expr, $name:literal) => {{
        let mut b = $krate::config::Builder::from($sdk)
            .interceptor(crate::api_log::ApiLog)
            .interceptor(crate::ambiguity::Watch);
        if let Some(url) = endpoint($config, $name) {
            b = b.endpoint_url(url);
        }
        $krate::Client::from_conf(b.build())
    }};
}

/// The `provider "aws"` implementation.
pub struct AwsProvider;

#[async_trait]
impl Provider for AwsProvider {
    fn name(&self) -> &'static str {
        "aws"
    }

    fn config_schema(&self) -> Schema {
        schema()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        let mut r = crate::ec2::resources();
        r.extend(crate::iam::resources());
        r.extend(crate::kms::resources());
        r.extend(crate::eks::resources());
        r
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        let mut d = crate::ec2::data_sources();
        d.extend(crate::iam::data_sources());
        d.extend(crate::eks::data_sources());
        d
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn hubctl_core::provider::EphemeralResource>> {
        crate::eks::ephemeral_resources()
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        without_effect(config)
    }

    fn check_plan(
        &self,
        planned: &[hubctl_core::provider::PlannedInstance],
    ) -> Vec<hubctl_core::provider::Finding> {
        crate::ec2::check_plan(planned)
    }

    async fn read_types(
        &self,
        ctx: &OpContext<'_>,
        types: &[(Arc<dyn Resource>, Vec<Value>)],
        parallel: usize,
    ) -> Vec<hubctl_core::provider::ReadResults> {
        crate::batch::read_types(ctx, types, parallel).await
    }

    async fn configure(&self, config: &Value) -> Result<ProviderClient, ProviderError> {
        let sdk = auth(config)
            .map_err(|e| ProviderError::new("", e))?
            .sdk_config()
            .await;
        let Some(region) = sdk.region().map(|r| r.to_string()) else {
            return Err(ProviderError::new(
                "",
                "no region is set: set `region` in the provider \"aws\" block or the AWS_REGION environment variable",
            ));
        };
        if !flag(config, "skip_region_validation") && !crate::auth::valid_region(&region) {
            return Err(ProviderError::new("", crate::auth::invalid_region(&region)));
        }
        let ec2 = service_client!(aws_sdk_ec2, &sdk, config, "ec2");
        let iam = service_client!(aws_sdk_iam, &sdk, config, "iam");
        let kms = service_client!(aws_sdk_kms, &sdk, config, "kms");
        let eks = service_client!(aws_sdk_eks, &sdk, config, "eks");
        let sts = service_client!(aws_sdk_sts, &sdk, config, "sts");
        let mut account_id = None;
        if !flag(config, "skip_credentials_validation")
            || !flag(config, "skip_requesting_account_id")
        {
            match sts.get_caller_identity().send().await {
                Ok(id) => account_id = id.account().map(str::to_string),
                Err(e) if !flag(config, "skip_credentials_validation") => {
                    let mut err = error::sdk("sts:GetCallerIdentity", e);
                    err.message = format!(
                        "validating the credentials failed: {}. Check the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the provider block) and the endpoint; set skip_credentials_validation = true to skip this check",
                        err.message
                    );
                    return Err(err);
                }
                Err(_) => {}
            }
        }
        let default_tags = config
            .get_attr("default_tags")
            .and_then(|d| d.get_attr("tags"))
            .and_then(|t| t.peel().as_map())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.peel().as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Arc::new(AwsClients {
            ec2,
            iam,
            kms,
            eks,
            sts,
            credentials: sdk.credentials_provider(),
            region,
            account_id,
            default_tags,
            iam_snapshot: None,
            route_tables: None,
        }))
    }
}

/// Clients for unit tests of pure mapping functions: nothing is ever sent.
#[cfg(test)]
pub fn test_clients(default_tags: BTreeMap<String, String>) -> AwsClients {
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .build();
    AwsClients {
        ec2: aws_sdk_ec2::Client::new(&sdk),
        iam: aws_sdk_iam::Client::new(&sdk),
        kms: aws_sdk_kms::Client::new(&sdk),
        eks: aws_sdk_eks::Client::new(&sdk),
        sts: aws_sdk_sts::Client::new(&sdk),
        credentials: None,
        region: "us-east-1".into(),
        account_id: Some("123456789012".into()),
        default_tags,
        iam_snapshot: None,
        route_tables: None,
    }
}
