use super::yaml_text;
use crate::lang::Value;

/// Every case recorded from Terraform 1.11 (see `crates/core/testdata/README.md`).
#[test]
fn matches_terraform_byte_for_byte() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/yamlencode-terraform-1.11.json");
    let text = std::fs::read_to_string(&path).expect("golden file");
    let cases: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).expect("golden JSON");
    assert!(cases.len() >= 10);
    let mut failed = Vec::new();
    for (name, case) in &cases {
        let want = case["yaml"].as_str().expect("yaml text");
        let got = yaml_text(&Value::from_json(&case["input"]));
        if got != want {
            failed.push(format!("--- {name}\nwant:\n{want}\ngot:\n{got}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn strings_yaml_1_1_would_read_as_other_types_stay_strings() {
    let v = Value::map([("q", Value::from("yes")), ("n", Value::from("123"))]);
    assert_eq!(yaml_text(&v), "\"n\": \"123\"\n\"q\": \"yes\"\n");
}
