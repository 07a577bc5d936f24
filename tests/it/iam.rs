//! KMS and IAM against moto, through `modules/kms` and `modules/iam-irsa`: a key with its
//! alias, a cluster role with a managed policy attached, an OIDC provider and two IRSA
//! roles. Checked: each IRSA role's trust policy as IAM has it names the OIDC provider and
//! exactly its service account; a second plan, and one with an equivalent rewrite of a
//! policy, has no changes; destroy leaves no role, policy, OIDC provider, alias or live key
//! of ours (a key pending deletion counts as deleted). Plus the plan-time refusal of an alias
//! name without `alias/`.

use crate::conformance::{aws, configure};
use crate::conformance_iam::live_keys;
use crate::moto::Moto;
use crate::support::{copy_dir, Work};
use serde_json::Value as J;
use std::path::Path;

const ISSUER: &str = "oidc.eks.us-east-1.amazonaws.com/id/HUBTEST";

fn root(cluster_trust: &str) -> String {
    format!(
        r#"
provider "aws" {{}}

module "kms" {{
  source = "../modules/kms"
  alias  = "hub-eks-secrets"
}}

data "aws_iam_policy_document" "cluster_trust" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }}
  }}
}}

resource "aws_iam_role" "cluster" {{
  name                  = "hub-cluster"
  assume_role_policy    = {cluster_trust}
  force_detach_policies = true
}}

resource "aws_iam_role_policy_attachment" "cluster" {{
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
}}

resource "aws_iam_openid_connect_provider" "eks" {{
  url            = "https://{ISSUER}"
  client_id_list = ["sts.amazonaws.com"]
}}

data "aws_iam_policy_document" "kro" {{
  statement {{
    actions   = ["sts:AssumeRole"]
    resources = ["arn:aws:iam::*:role/spoke-provisioner"]
  }}
}}

module "irsa_kro" {{
  source            = "../modules/iam-irsa"
  oidc_provider_arn = aws_iam_openid_connect_provider.eks.arn
  oidc_issuer       = aws_iam_openid_connect_provider.eks.url
  namespace         = "kro"
  service_account   = "kro"
  role_name         = "hub-kro-controller-role"
  policy_json       = data.aws_iam_policy_document.kro.json
}}

module "irsa_ack_iam" {{
  source              = "../modules/iam-irsa"
  oidc_provider_arn   = aws_iam_openid_connect_provider.eks.arn
  oidc_issuer         = "{ISSUER}"
  namespace           = "ack-system"
  service_account     = "ack-iam-controller"
  role_name           = "hub-ack-iam-controller-role"
  managed_policy_arns = ["arn:aws:iam::aws:policy/IAMFullAccess"]
}}

data "aws_caller_identity" "me" {{}}
data "aws_partition" "this" {{}}

output "key_arn" {{ value = module.kms.key_arn }}
output "alias" {{ value = module.kms.alias }}
output "oidc_arn" {{ value = aws_iam_openid_connect_provider.eks.arn }}
output "kro_role_arn" {{ value = module.irsa_kro.role_arn }}
output "account_id" {{ value = data.aws_caller_identity.me.account_id }}
output "partition" {{ value = data.aws_partition.this.partition }}
"#
    )
}

const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

const DATA_TRUST: &str = "data.aws_iam_policy_document.cluster_trust.json";

/// The same trust policy written by hand: other key order, lists for single values.
const HAND_TRUST: &str = r#"jsonencode({
    Statement = [{ Principal = { Service = ["eks.amazonaws.com"] }, Action = ["sts:AssumeRole"], Effect = "Allow" }]
    Version   = "2012-10-17"
  })"#;

fn setup(trust: &str) -> Work {
    let w = Work::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for m in ["kms", "iam-irsa"] {
        copy_dir(
            &repo.join("modules").join(m),
            &w.path(&format!("modules/{m}")),
        );
    }
    w.write("root/main.tf", &root(trust));
    w
}

/// The trust policy IAM holds for `role`, as JSON.
async fn trust_of(client: &hubctl_core::provider::ProviderClient, role: &str) -> J {
    let out = aws(client)
        .iam
        .get_role()
        .role_name(role)
        .send()
        .await
        .expect("GetRole");
    let doc = out
        .role()
        .and_then(|r| r.assume_role_policy_document())
        .expect("document");
    let doc = hubctl_aws::policy::decode_url(doc);
    serde_json::from_str(&doc).expect("trust policy JSON")
}

fn assert_trusts_exactly(trust: &J, oidc_arn: &str, sa: &str) {
    let st = &trust["Statement"][0];
    assert_eq!(
        trust["Statement"].as_array().map(Vec::len),
        Some(1),
        "{trust}"
    );
    assert_eq!(st["Principal"]["Federated"], J::from(oidc_arn), "{trust}");
    assert_eq!(st["Action"], J::from("sts:AssumeRoleWithWebIdentity"));
    let eq = st["Condition"]["StringEquals"]
        .as_object()
        .expect("StringEquals");
    assert_eq!(eq.len(), 2, "{trust}");
    assert_eq!(eq[&format!("{ISSUER}:sub")], J::from(sa), "{trust}");
    assert_eq!(eq[&format!("{ISSUER}:aud")], J::from("sts.amazonaws.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kms_and_irsa_roles_apply_plan_clean_and_destroy_without_leftovers() {
    let moto = Moto::start();
    let w = setup(DATA_TRUST);
    let dir = w.path("root").display().to_string();
    let run = |args: &[&str]| moto.hubctl(&w, args, &[]);
    run(&["apply", &dir, "--auto-approve"]).expect_code(0);

    let out = run(&["output", "--dir", &dir, "--json"]);
    let outputs: J = serde_json::from_str(&out.stdout).expect("output --json");
    let oidc_arn = outputs["oidc_arn"]["value"]
        .as_str()
        .expect("oidc arn")
        .to_string();
    assert!(
        oidc_arn.ends_with(&format!(":oidc-provider/{ISSUER}")),
        "{oidc_arn}"
    );
    assert_eq!(outputs["alias"]["value"], "alias/hub-eks-secrets");
    assert_eq!(outputs["partition"]["value"], "aws");
    assert_eq!(outputs["account_id"]["value"], "123456789012");

    let client = configure(&moto).await;
    let kro = trust_of(&client, "hub-kro-controller-role").await;
    assert_trusts_exactly(&kro, &oidc_arn, "system:serviceaccount:kro:kro");
    let ack = trust_of(&client, "hub-ack-iam-controller-role").await;
    assert_trusts_exactly(
        &ack,
        &oidc_arn,
        "system:serviceaccount:ack-system:ack-iam-controller",
    );
    let c = aws(&client);
    let attached = c
        .iam
        .list_attached_role_policies()
        .role_name("hub-cluster")
        .send()
        .await;
    let attached = attached.expect("attached");
    let arns: Vec<_> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn())
        .collect();
    assert_eq!(arns, ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]);
    let inline = c.iam.get_role_policy().role_name("hub-kro-controller-role");
    let inline = inline
        .policy_name("hub-kro-controller-role-policy")
        .send()
        .await;
    assert!(inline
        .expect("inline policy")
        .policy_document()
        .contains("spoke-provisioner"));
    let key = c
        .kms
        .get_key_rotation_status()
        .key_id(outputs["key_arn"]["value"].as_str().unwrap());
    assert!(key.send().await.expect("rotation").key_rotation_enabled());

    let plan = run(&["plan", &dir, "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "second plan:\n{}", plan.all());
    // An equivalent rewrite of a policy (key order, one-element lists) is no change.
    w.write("root/main.tf", &root(HAND_TRUST));
    let plan = run(&["plan", &dir, "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "equivalent trust policy:\n{}", plan.all());
    drift_is_seen_through_one_account_snapshot(&moto, &w, &dir).await;

    // What others attached to the cluster role goes with it (force_detach_policies).
    let other = "arn:aws:iam::aws:policy/AmazonEKSServicePolicy";
    let a = c
        .iam
        .attach_role_policy()
        .role_name("hub-cluster")
        .policy_arn(other);
    a.send().await.expect("attach out of band");
    let p = c
        .iam
        .put_role_policy()
        .role_name("hub-cluster")
        .policy_name("manual");
    p.policy_document(DOC)
        .send()
        .await
        .expect("inline out of band");

    run(&["destroy", &dir, "--auto-approve"]).expect_code(0);
    let roles = c.iam.list_roles().send().await.expect("roles");
    assert_eq!(roles.roles().len(), 0, "roles left: {:?}", roles.roles());
    let local = aws_sdk_iam::types::PolicyScopeType::Local;
    let policies = c
        .iam
        .list_policies()
        .scope(local)
        .send()
        .await
        .expect("policies");
    assert_eq!(policies.policies().len(), 0);
    let oidc = c
        .iam
        .list_open_id_connect_providers()
        .send()
        .await
        .expect("oidc");
    assert_eq!(oidc.open_id_connect_provider_list().len(), 0);
    let aliases = c.kms.list_aliases().send().await.expect("aliases");
    let ours = aliases
        .aliases()
        .iter()
        .filter(|a| a.alias_name() == Some("alias/hub-eks-secrets"));
    assert_eq!(ours.count(), 0);
    assert_eq!(
        live_keys(&client).await,
        0,
        "a KMS key is left (not pending deletion)"
    );
}

/// Changes made outside hubctl to a role, an inline policy and an attachment are planned
/// back, from one `ListRoles` and one `GetAccountAuthorizationDetails` instead of a call per
/// object; then they are applied back so that the test goes on from a clean state.
async fn drift_is_seen_through_one_account_snapshot(moto: &Moto, w: &Work, dir: &str) {
    let client = configure(moto).await;
    let c = aws(&client);
    let kro = "hub-kro-controller-role";
    let r = c.iam.update_role().role_name(kro).description("edited");
    r.send().await.expect("describe out of band");
    let p = c.iam.put_role_policy().role_name(kro);
    let p = p.policy_name("hub-kro-controller-role-policy");
    p.policy_document(DOC)
        .send()
        .await
        .expect("inline out of band");
    let d = c.iam.detach_role_policy().role_name("hub-cluster");
    let d = d.policy_arn("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy");
    d.send().await.expect("detach out of band");

    let log = [("HUBCTL_LOG", "hubctl::api=info".to_string())];
    let plan = moto.hubctl(w, &["plan", dir, "--detailed-exitcode"], &log);
    plan.expect_code(2);
    for line in [
        "module.irsa_kro.aws_iam_role.this will be updated in-place",
        "module.irsa_kro.aws_iam_role_policy.this[0] will be updated in-place",
        "aws_iam_role_policy_attachment.cluster will be created",
        "Plan: 1 to add, 2 to change, 0 to destroy.",
    ] {
        assert!(plan.stdout.contains(line), "{line}:\n{}", plan.stdout);
    }
    let calls: Vec<&str> = plan
        .stderr
        .lines()
        .filter_map(|l| l.split("hubctl::api: ").nth(1))
        .collect();
    let count = |op: &str| calls.iter().filter(|c| **c == op).count();
    assert_eq!(count("iam:ListRoles"), 1, "{calls:#?}");
    assert_eq!(count("iam:GetAccountAuthorizationDetails"), 1, "{calls:#?}");
    for op in [
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
    ] {
        assert_eq!(count(op), 0, "{op} in {calls:#?}");
    }
    let apply = moto.hubctl(w, &["apply", dir, "--auto-approve"], &[]);
    apply.expect_code(0);
    let plan = moto.hubctl(w, &["plan", dir, "--detailed-exitcode"], &[]);
    assert_eq!(
        plan.code,
        0,
        "after applying the drift back:\n{}",
        plan.all()
    );
}

#[test]
fn an_alias_without_the_prefix_is_refused_at_plan_time_with_its_location() {
    let w = Work::empty();
    w.write(
        "main.tf",
        "resource \"aws_kms_key\" \"k\" {}\n\nresource \"aws_kms_alias\" \"a\" {\n  name          = \"hub-secrets\"\n  target_key_id = aws_kms_key.k.key_id\n}\n",
    );
    let out = w.run(&["validate"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let err = out.all();
    assert!(err.contains("Invalid KMS alias name"), "{err}");
    assert!(err.contains("must start with \"alias/\""), "{err}");
    assert!(err.contains("main.tf:4:"), "{err}");
}

/// A trust policy known at plan time whose `:sub` / `:aud` conditions name another issuer
/// than its Federated OIDC provider is refused by `plan`, at `assume_role_policy`, before any
/// API call (every endpoint is a closed loopback port).
#[test]
fn an_irsa_trust_on_another_issuer_is_refused_at_plan_time() {
    let w = Work::empty();
    let provider = "provider \"aws\" {\n  region = \"us-east-1\"\n  skip_credentials_validation = true\n  skip_requesting_account_id = true\n}\n";
    let module = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("modules/iam-irsa/main.tf"),
    )
    .expect("module");
    // The module as written, fed the provider ARN of cluster A and the issuer of cluster B.
    let vars = "variable \"oidc_provider_arn\" { default = \"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAAA\" }\nvariable \"oidc_issuer\" { default = \"oidc.eks.us-east-1.amazonaws.com/id/BBBB\" }\nvariable \"namespace\" { default = \"kro\" }\nvariable \"service_account\" { default = \"kro\" }\nvariable \"role_name\" { default = \"r\" }\nvariable \"path\" { default = \"/\" }\nvariable \"policy_json\" { default = null }\nvariable \"managed_policy_arns\" { default = [] }\nvariable \"max_session_duration\" { default = 3600 }\nvariable \"tags\" { default = {} }\n";
    let main = format!("{provider}{module}");
    let line = main
        .lines()
        .position(|l| l.contains("assume_role_policy"))
        .expect("line")
        + 1;
    w.write("main.tf", &main);
    w.write("vars.tf", vars);
    let mut c = w.command(&["plan"]);
    c.env("HOME", w.dir()).env_remove("AWS_PROFILE");
    for (k, v) in [
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ] {
        c.env(k, v);
    }
    let o = c.output().expect("run hubctl");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("Trust policy conditions on another OIDC issuer"),
        "{err}"
    );
    let trusted = "trusts only \"oidc.eks.us-east-1.amazonaws.com/id/AAAA\"";
    assert!(err.contains("id/BBBB:") && err.contains(trusted), "{err}");
    assert!(err.contains(&format!("main.tf:{line}:3")), "{err}");
}
