//! `data "terraform_remote_state"` for stacks wired the plain-Terraform way: an `s3` state
//! hubctl sealed with its KMS key is opened with that key, a state Terraform 1.11 wrote is
//! read as it is from a local file and from S3, a missing one gives its `defaults`, and a sensitive output stays
//! sensitive in the configuration that reads it.

use crate::moto::Moto;
use crate::support::Work;
use std::path::Path;

const BACKEND: &str = r#"bucket         = "rs-state"
    key            = "net/terraform.tfstate"
    region         = "us-east-1"
    encrypt        = true
    kms_key_id     = "alias/rs-state"
    dynamodb_table = "rs-locks""#;

fn net() -> String {
    format!(
        r#"terraform {{
  backend "s3" {{
    {BACKEND}
  }}
}}

resource "terraform_data" "vpc" {{
  input = "vpc-0abc"
}}

output "vpc_id" {{
  value = terraform_data.vpc.output
}}

output "token" {{
  value     = "s3cr3t-token"
  sensitive = true
}}
"#
    )
}

fn app(fixture: &Path, token_sensitive: bool) -> String {
    format!(
        r#"data "terraform_remote_state" "net" {{
  backend = "s3"
  config = {{
    {BACKEND}
  }}
}}

data "terraform_remote_state" "tf" {{
  backend = "local"
  config = {{
    path = "{fixture}"
  }}
}}

data "terraform_remote_state" "tf_s3" {{
  backend = "s3"
  config = {{
    bucket  = "rs-state"
    key     = "terraform/hub.tfstate"
    region  = "us-east-1"
    encrypt = false
  }}
}}

data "terraform_remote_state" "missing" {{
  backend  = "local"
  config   = {{ path = "never-written.tfstate" }}
  defaults = {{ vpc_id = "none yet" }}
}}

output "vpc" {{
  value = data.terraform_remote_state.net.outputs.vpc_id
}}

output "token" {{
  value     = data.terraform_remote_state.net.outputs.token
  sensitive = {token_sensitive}
}}

output "endpoint" {{
  value = data.terraform_remote_state.tf.outputs.cluster_endpoint
}}

output "tf_s3_name" {{
  value = data.terraform_remote_state.tf_s3.outputs.cluster_name
}}

output "fallback" {{
  value = data.terraform_remote_state.missing.outputs.vpc_id
}}
"#,
        fixture = fixture.display()
    )
}

#[test]
fn remote_states_are_read_from_s3_sealed_and_from_terraforms_local_files() {
    let moto = Moto::start();
    let w = Work::empty();
    let run = |args: &[&str]| moto.hubctl(&w, args, &[]);
    w.write("net/main.tf", &net());
    run(&["init", "net", "--bootstrap"]).expect_code(0);
    run(&["apply", "net", "--auto-approve"]).expect_code(0);

    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("state-fixtures/terraform-1.11-hub-aws5.100.tfstate");
    // The same Terraform state in the bucket, as Terraform's s3 backend keeps it.
    let text = std::fs::read_to_string(&fixture).expect("fixture");
    moto.s3_put("/rs-state/terraform/hub.tfstate", &text)
        .expect("PutObject");
    w.write("app/main.tf", &app(&fixture, true));
    let apply = run(&["apply", "app", "--auto-approve"]);
    apply.expect_code(0);
    assert!(!apply.all().contains("s3cr3t-token"), "{}", apply.all());
    let out = run(&["output", "--dir", "app", "--json"]);
    out.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("outputs JSON");
    assert_eq!(doc["vpc"]["value"], "vpc-0abc", "{doc}");
    assert_eq!(doc["fallback"]["value"], "none yet", "{doc}");
    assert_eq!(doc["tf_s3_name"]["value"], "hub", "{doc}");
    let endpoint = doc["endpoint"]["value"].as_str().unwrap_or_default();
    assert!(endpoint.ends_with(".eks.amazonaws.com/"), "{doc}");
    assert_eq!(doc["token"]["sensitive"], true, "{doc}");
    assert!(!out.stdout.contains("s3cr3t-token"), "{}", out.stdout);

    // The token is as sensitive here as where it was written: an output showing it must say so.
    w.write("app/main.tf", &app(&fixture, false));
    let leak = run(&["plan", "app"]);
    leak.expect_code(1);
    assert!(leak.stderr.contains("sensitive"), "{}", leak.all());
}

#[test]
fn a_plaintext_state_is_refused_where_the_config_asks_for_encryption() {
    let moto = Moto::start();
    let w = Work::empty();
    let run = |args: &[&str]| moto.hubctl(&w, args, &[]);
    w.write("net/main.tf", &net());
    run(&["init", "net", "--bootstrap"]).expect_code(0);
    // Planted beside the sealed states: a valid Terraform state, but plaintext, which
    // encrypt = true never accepts.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("state-fixtures/terraform-1.11-hub-aws5.100.tfstate");
    let text = std::fs::read_to_string(&fixture).expect("fixture");
    moto.s3_put("/rs-state/planted.tfstate", &text)
        .expect("PutObject");
    w.write(
        "app/main.tf",
        r#"data "terraform_remote_state" "p" {
  backend = "s3"
  config = {
    bucket  = "rs-state"
    key     = "planted.tfstate"
    region  = "us-east-1"
    encrypt = true
  }
}

output "vpc" {
  value = data.terraform_remote_state.p.outputs.cluster_name
}
"#,
    );
    let plan = run(&["plan", "app"]);
    plan.expect_code(1);
    assert!(
        plan.stderr.contains("stored in plaintext"),
        "{}",
        plan.all()
    );
    assert!(!plan.stdout.contains("\"hub\""), "{}", plan.stdout);
}
