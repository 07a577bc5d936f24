//! The resource conformance suite for the IAM and KMS types, each against its own moto (see
//! `conformance.rs`): prerequisites (roles, keys) are made with the SDK directly, and counts
//! and out-of-band deletes go around the provider. Policies are written compact, as moto
//! echoes them, so an import (which has no configured text to keep) reads the same text.

use crate::conformance::{aws, configure};
use crate::moto::Moto;
use async_trait::async_trait;
use hubctl_aws::AwsProvider;
use hubctl_core::lang::Value;
use hubctl_core::provider::conformance::{resource_suite, Case, Remote};
use hubctl_core::provider::{Provider, ProviderClient};

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"eks.amazonaws.com"}}]}"#;
const TRUST_2: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}]}"#;
const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
const DOC_2: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
const EKS_POLICY: &str = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy";

struct Iam {
    client: ProviderClient,
    kind: &'static str,
    /// The role the role's policies and attachments belong to.
    role: String,
}

fn s(state: &Value, k: &str) -> String {
    state
        .get_attr(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

#[async_trait]
impl Remote for Iam {
    async fn count(&self) -> usize {
        let c = aws(&self.client);
        let role = self.role.as_str();
        match self.kind {
            "aws_iam_role" => c
                .iam
                .list_roles()
                .send()
                .await
                .expect("roles")
                .roles()
                .len(),
            "aws_iam_policy" => {
                let r = c
                    .iam
                    .list_policies()
                    .scope(aws_sdk_iam::types::PolicyScopeType::Local);
                r.send().await.expect("policies").policies().len()
            }
            "aws_iam_role_policy" => {
                let r = c.iam.list_role_policies().role_name(role).send().await;
                r.expect("inline").policy_names().len()
            }
            "aws_iam_role_policy_attachment" => {
                let r = c
                    .iam
                    .list_attached_role_policies()
                    .role_name(role)
                    .send()
                    .await;
                r.expect("attached").attached_policies().len()
            }
            "aws_iam_openid_connect_provider" => {
                let r = c.iam.list_open_id_connect_providers().send().await;
                r.expect("providers").open_id_connect_provider_list().len()
            }
            "aws_kms_key" => live_keys(&self.client).await,
            "aws_kms_alias" => c
                .kms
                .list_aliases()
                .send()
                .await
                .expect("aliases")
                .aliases()
                .len(),
            k => panic!("no count for {k}"),
        }
    }

    async fn delete_out_of_band(&self, st: &Value) {
        let c = aws(&self.client);
        let r: Result<(), String> = match self.kind {
            "aws_iam_role" => c
                .iam
                .delete_role()
                .role_name(s(st, "name"))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("{e:?}")),
            "aws_iam_policy" => c
                .iam
                .delete_policy()
                .policy_arn(s(st, "arn"))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("{e:?}")),
            "aws_iam_role_policy" => {
                let r = c
                    .iam
                    .delete_role_policy()
                    .role_name(s(st, "role"))
                    .policy_name(s(st, "name"));
                r.send().await.map(|_| ()).map_err(|e| format!("{e:?}"))
            }
            "aws_iam_role_policy_attachment" => {
                let r = c
                    .iam
                    .detach_role_policy()
                    .role_name(s(st, "role"))
                    .policy_arn(s(st, "policy_arn"));
                r.send().await.map(|_| ()).map_err(|e| format!("{e:?}"))
            }
            "aws_iam_openid_connect_provider" => {
                let r = c
                    .iam
                    .delete_open_id_connect_provider()
                    .open_id_connect_provider_arn(s(st, "arn"));
                r.send().await.map(|_| ()).map_err(|e| format!("{e:?}"))
            }
            "aws_kms_key" => {
                let r = c
                    .kms
                    .schedule_key_deletion()
                    .key_id(s(st, "key_id"))
                    .pending_window_in_days(7);
                r.send().await.map(|_| ()).map_err(|e| format!("{e:?}"))
            }
            "aws_kms_alias" => c
                .kms
                .delete_alias()
                .alias_name(s(st, "name"))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("{e:?}")),
            k => panic!("no out-of-band delete for {k}"),
        };
        r.unwrap_or_else(|e| panic!("out-of-band delete of {}: {e}", self.kind));
    }
}

/// KMS keys not pending deletion (a scheduled deletion is the delete).
pub async fn live_keys(client: &ProviderClient) -> usize {
    let c = aws(client);
    let keys = c.kms.list_keys().send().await.expect("keys");
    let mut n = 0;
    for k in keys.keys() {
        let d = c
            .kms
            .describe_key()
            .key_id(k.key_id().unwrap_or_default())
            .send()
            .await
            .expect("describe");
        let state = d.key_metadata().and_then(|m| m.key_state()).cloned();
        if state != Some(aws_sdk_kms::types::KeyState::PendingDeletion) {
            n += 1;
        }
    }
    n
}

async fn run(
    moto: &Moto,
    client: ProviderClient,
    kind: &'static str,
    (config, update): (Value, Option<Value>),
    role: &str,
    import_id: fn(&Value) -> String,
) {
    let _ = moto;
    let resource = AwsProvider
        .resources()
        .into_iter()
        .find(|r| r.type_name() == kind);
    let remote = Iam {
        client: client.clone(),
        kind,
        role: role.to_string(),
    };
    let address = format!("{kind}.conformance");
    let case = Case {
        resource: resource.expect("registered"),
        client,
        address: &address,
        config,
        update,
        import_id: Some(import_id),
        remote: Some(&remote),
    };
    resource_suite(&case).await;
}

fn tags(name: &str) -> Value {
    Value::map([("Name", Value::from(name))])
}

/// A role made around the provider.
async fn role(client: &ProviderClient, name: &str) -> String {
    let r = aws(client)
        .iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(TRUST);
    r.send().await.expect("role");
    name.to_string()
}

async fn key(client: &ProviderClient) -> String {
    let out = aws(client).kms.create_key().send().await.expect("key");
    out.key_metadata().expect("meta").key_id().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_iam_role_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let config = |trust: &str, desc: Option<&str>, tag: &str| {
        Value::map([
            ("name", Value::from("conf-role")),
            ("assume_role_policy", Value::from(trust)),
            // Unset (left out: the schema default) or set.
            ("description", Value::from(desc.unwrap_or(""))),
            ("tags", tags(tag)),
        ])
    };
    let cases = (
        config(TRUST, None, "a"),
        Some(config(TRUST_2, Some("hub role"), "b")),
    );
    run(&moto, client, "aws_iam_role", cases, "", |v| s(v, "name")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_iam_policy_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let config = |doc: &str, tag: &str| {
        Value::map([
            ("name", Value::from("conf-policy")),
            ("policy", Value::from(doc)),
            ("tags", tags(tag)),
        ])
    };
    let cases = (config(DOC, "a"), Some(config(DOC_2, "b")));
    run(&moto, client, "aws_iam_policy", cases, "", |v| s(v, "arn")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_iam_role_policy_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let r = role(&client, "conf-inline").await;
    let config = |doc: &str| {
        Value::map([
            ("role", Value::from(r.as_str())),
            ("name", Value::from("inline")),
            ("policy", Value::from(doc)),
        ])
    };
    let cases = (config(DOC), Some(config(DOC_2)));
    run(&moto, client, "aws_iam_role_policy", cases, &r, |v| {
        s(v, "id")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_iam_role_policy_attachment_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let r = role(&client, "conf-attached").await;
    let config = Value::map([
        ("role", Value::from(r.as_str())),
        ("policy_arn", Value::from(EKS_POLICY)),
    ]);
    let import = |v: &Value| format!("{}/{}", s(v, "role"), s(v, "policy_arn"));
    run(
        &moto,
        client,
        "aws_iam_role_policy_attachment",
        (config, None),
        &r,
        import,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_iam_openid_connect_provider_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    // moto has no AddClientIDToOpenIDConnectProvider: the update changes the thumbprints.
    let config = |thumb: &str, tag: &str| {
        Value::map([
            (
                "url",
                Value::from("https://oidc.eks.us-east-1.amazonaws.com/id/CONF"),
            ),
            (
                "client_id_list",
                Value::set(vec![Value::from("sts.amazonaws.com")]),
            ),
            ("thumbprint_list", Value::List(vec![Value::from(thumb)])),
            ("tags", tags(tag)),
        ])
    };
    let (a, b) = (
        "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
        "06b25927c42a721631c1efd9431e648fa62e1e39",
    );
    let cases = (config(a, "a"), Some(config(b, "b")));
    run(
        &moto,
        client,
        "aws_iam_openid_connect_provider",
        cases,
        "",
        |v| s(v, "arn"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_kms_key_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let config = |desc: &str, rotation: bool, tag: &str| {
        Value::map([
            ("description", Value::from(desc)),
            ("enable_key_rotation", Value::Bool(rotation)),
            ("tags", tags(tag)),
        ])
    };
    // No deletion_window_in_days: an import cannot know it (as in Terraform), so import
    // then read would differ; tests/it/iam.rs applies a key with one.
    let cases = (
        config("hub secrets", true, "a"),
        Some(config("hub secrets 2", false, "b")),
    );
    run(&moto, client, "aws_kms_key", cases, "", |v| s(v, "key_id")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_kms_alias_conforms() {
    let moto = Moto::start();
    let client = configure(&moto).await;
    let (k1, k2) = (key(&client).await, key(&client).await);
    let config = |k: &str| {
        Value::map([
            ("name", Value::from("alias/conf")),
            ("target_key_id", Value::from(k)),
        ])
    };
    let cases = (config(&k1), Some(config(&k2)));
    run(&moto, client, "aws_kms_alias", cases, "", |v| s(v, "name")).await;
}
