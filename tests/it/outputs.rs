//! `output --json` against Terraform's: the same configuration (one output of each kind of
//! value) applied by hubctl must print what `terraform output -json` printed, recorded by
//! `crates/core/testdata/record_outputs.py`: each output's sensitive flag, its cty type
//! (list vs tuple, map vs object, set, "dynamic" for null) and its value.

use crate::support::Work;
use serde_json::Value as J;

fn recorded() -> J {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/core/testdata/outputs-terraform-1.11.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("recording")).expect("JSON")
}

fn output_json(w: &Work, extra: &[&str]) -> J {
    let dir = w.arg();
    let mut args = vec!["output", "--dir", dir.as_str(), "--json"];
    args.extend_from_slice(extra);
    let out = w.run(&args);
    out.expect_code(0);
    serde_json::from_str(&out.stdout).expect("output --json")
}

#[test]
fn output_json_matches_terraform() {
    let rec = recorded();
    let w = Work::empty();
    w.write("main.tf", rec["config"].as_str().expect("config"));
    w.apply_ok(&[]);
    // Terraform prints sensitive values in `output -json`; hubctl only when asked.
    let mut got = output_json(&w, &["--show-sensitive"]);
    // terraform_data's id is a fresh UUID per create (the recording keeps only its place).
    let id = &mut got["data"]["value"]["id"];
    assert!(id.as_str().is_some_and(|s| s.len() == 36), "{id}");
    *id = J::from("<uuid>");
    let want = &rec["output"];
    let names = |j: &J| j.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>());
    assert_eq!(names(&got), names(want));
    for (name, w) in want.as_object().expect("outputs") {
        assert_eq!(&got[name], w, "output {name}");
    }

    // Without --show-sensitive the values of sensitive outputs are redacted, types kept.
    let redacted = output_json(&w, &[]);
    assert_eq!(redacted["sensitive"]["value"], "(sensitive value)");
    assert_eq!(
        redacted["sensitive_object"]["type"],
        want["sensitive_object"]["type"]
    );

    // A state written before outputs kept their type still reads: JSON's own shape.
    let state_path = w.path(".hubctl/state.json");
    let mut state: J = serde_json::from_str(&w.read(".hubctl/state.json")).expect("state");
    for o in state["outputs"]
        .as_object_mut()
        .expect("outputs")
        .values_mut()
    {
        o.as_object_mut().expect("output").remove("type");
    }
    std::fs::write(&state_path, state.to_string()).expect("write state");
    let old = output_json(&w, &[]);
    assert_eq!(
        old["list"]["type"],
        serde_json::json!(["tuple", ["string", "string"]])
    );
    assert_eq!(old["list"]["value"], want["list"]["value"]);
}
