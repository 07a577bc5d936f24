//! How the CLI reaches AWS with the `s3` backend against moto: a Terraform state read
//! straight from S3, and `assume_role` in the backend and provider blocks.

use crate::moto::Moto;
use crate::s3_cli::{bootstrapped, cli, cli_settings};
use hubctl_aws::state::clients::Clients;
use hubctl_aws::state::S3Backend;
use hubctl_core::state::Backend;

/// `state import-terraform s3://...` reads a Terraform S3 backend's object with the backend
/// block's endpoints and credentials, and converts it into the encrypted hubctl state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terraform_state_is_imported_straight_from_s3() {
    let moto = Moto::start();
    let (w, dir) = bootstrapped(&moto);
    let s = cli_settings(&moto);
    let clients = Clients::new(&s).await;
    clients
        .s3
        .create_bucket()
        .bucket("tf-legacy")
        .send()
        .await
        .expect("CreateBucket");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("state-fixtures/terraform-1.11-hub-aws5.100.tfstate");
    clients
        .s3
        .put_object()
        .bucket("tf-legacy")
        .key("hub/terraform.tfstate")
        .body(std::fs::read(fixture).expect("fixture").into())
        .send()
        .await
        .expect("PutObject");
    let url = "s3://tf-legacy/hub/terraform.tfstate";
    let o = cli(&w, &["state", "import-terraform", url, "--dir", &dir]);
    o.expect_code(0);
    assert!(
        o.stdout.contains("Imported 50 resource instance(s)"),
        "{}",
        o.stdout
    );
    let state = S3Backend::connect_with(s, &clients)
        .load()
        .await
        .expect("load")
        .expect("state");
    // The network's 28, the 20 IAM and KMS objects, the EKS cluster and node group.
    assert_eq!(state.resources.len(), 50);
    assert!(state
        .resources
        .contains_key("module.eks.aws_eks_cluster.this"));
    assert!(state.resources.contains_key("module.vpc.aws_vpc.this"));

    let o = cli(
        &w,
        &[
            "state",
            "import-terraform",
            "s3://tf-legacy/missing",
            "--dir",
            &dir,
        ],
    );
    o.expect_code(1);
    assert!(
        o.stderr.contains("s3:GetObject on s3://tf-legacy/missing"),
        "{}",
        o.stderr
    );
}

/// The role sessions moto's STS handed out (role ARN, session name).
fn assumed_roles(moto: &Moto) -> Vec<(String, String)> {
    let body = moto
        .http("GET", "/moto-api/data.json", "")
        .expect("moto data");
    let json = &body[body.find('{').expect("JSON body")..];
    let data: serde_json::Value = serde_json::from_str(json).expect("moto data JSON");
    data["sts"]["AssumedRole"]
        .as_array()
        .map(|roles| {
            roles
                .iter()
                .map(|r| {
                    let field = |k: &str| r[k].as_str().unwrap_or_default().to_string();
                    (field("role_arn"), field("session_name"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `assume_role` in the backend block and in the provider block: each takes a role session
/// through STS before touching anything (seen in moto's record of sessions).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_and_provider_assume_their_roles() {
    let moto = Moto::start();
    let (w, dir) = bootstrapped(&moto);
    assert!(assumed_roles(&moto).is_empty());
    let ep = &moto.endpoint;
    let main = w
        .read("main.tf")
        .replace(
            "    access_key     = \"test\"\n",
            "    access_key     = \"test\"\n    assume_role    = { role_arn = \"arn:aws:iam::123456789012:role/hub-state\", session_name = \"hubctl-backend\" }\n",
        )
        .replace(
            &format!("endpoints      = {{ s3 = \"{ep}\", dynamodb = \"{ep}\", kms = \"{ep}\" }}"),
            &format!("endpoints      = {{ s3 = \"{ep}\", dynamodb = \"{ep}\", kms = \"{ep}\", sts = \"{ep}\" }}"),
        )
        + &format!(
            r#"
provider "aws" {{
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"
  assume_role {{
    role_arn     = "arn:aws:iam::123456789012:role/hub-deployer"
    session_name = "hubctl-provider"
  }}
  endpoints {{
    ec2 = "{ep}"
    sts = "{ep}"
  }}
}}

data "aws_region" "current" {{}}

output "region" {{
  value = data.aws_region.current.name
}}
"#
        );
    w.write("main.tf", &main);
    let o = cli(&w, &["apply", &dir, "--auto-approve"]);
    o.expect_code(0);
    let roles = assumed_roles(&moto);
    for (arn, session) in [
        ("arn:aws:iam::123456789012:role/hub-state", "hubctl-backend"),
        (
            "arn:aws:iam::123456789012:role/hub-deployer",
            "hubctl-provider",
        ),
    ] {
        assert!(
            roles.iter().any(|(a, s)| a == arn && s == session),
            "no {session} session of {arn} in {roles:?}"
        );
    }
    let state = S3Backend::connect_with(
        cli_settings(&moto),
        &Clients::new(&cli_settings(&moto)).await,
    )
    .load()
    .await
    .expect("load")
    .expect("state");
    assert_eq!(state.outputs["region"].value, "us-east-1");
}
