//! `aws_iam_policy_document` against the Terraform AWS provider: the configuration recorded by
//! `crates/aws/testdata/record_policy_document.py` (19 documents: one-element sets, reverse
//! order, principals, `*`, conditions, `&{var}`, source and override documents) applied by
//! hubctl must give the same `json`, `minified_json` and `id`, byte for byte. The provider
//! block makes no call (skip flags), and every endpoint points at a closed loopback port, so
//! a call would fail the test.

use crate::support::Work;
use serde_json::Value as J;

const PROVIDER: &str = r#"
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
}
"#;

fn recorded() -> J {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/aws/testdata/policy-document-terraform-1.11.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("recording")).expect("JSON")
}

#[test]
fn policy_documents_render_as_the_terraform_provider_does() {
    let rec = recorded();
    let w = Work::empty();
    let config = rec["config"].as_str().expect("config");
    w.write("main.tf", &format!("{PROVIDER}\n{config}"));
    let env = [
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ];
    let run = |args: &[&str]| {
        let mut c = w.command(args);
        c.env("HOME", w.dir()).env_remove("AWS_PROFILE");
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c.output().expect("run hubctl");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        assert!(
            o.status.success(),
            "hubctl {args:?}:\n{}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
        text(&o.stdout)
    };
    run(&["apply", "-auto-approve"]);
    let got: J = serde_json::from_str(&run(&["output", "--json"])).expect("output --json");
    let want = rec["outputs"].as_object().expect("outputs");
    let mut same = 0;
    for (name, w) in want {
        let g = &got[name]["value"];
        for k in ["json", "minified_json", "id"] {
            assert_eq!(
                g[k].as_str(),
                w[k].as_str(),
                "{name}.{k}: hubctl's\n{}\nTerraform's\n{}",
                g[k].as_str().unwrap_or("(none)"),
                w[k].as_str().unwrap_or("(none)")
            );
        }
        same += 1;
    }
    assert_eq!(same, 19, "every recorded document was compared");
}
