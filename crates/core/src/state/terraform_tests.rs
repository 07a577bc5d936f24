use super::*;
use serde_json::json;

fn fixture() -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../state-fixtures/terraform-1.11-hub-aws5.100.tfstate");
    std::fs::read(p).expect("fixture")
}

const VPC_TYPES: [&str; 8] = [
    "aws_eip",
    "aws_internet_gateway",
    "aws_nat_gateway",
    "aws_route",
    "aws_route_table",
    "aws_route_table_association",
    "aws_subnet",
    "aws_vpc",
];

#[test]
fn the_hub_fixture_converts_every_supported_instance() {
    let supported = |t: &str| VPC_TYPES.contains(&t);
    let got = from_terraform(&fixture(), "hub.tfstate", &supported).unwrap();
    let s = &got.state;
    assert_eq!(s.resources.len(), 28);
    assert!(s.resources.keys().all(|k| k.starts_with("module.vpc.")));
    let subnet = &s.resources["module.vpc.aws_subnet.private[\"us-east-1a\"]"];
    assert_eq!(subnet.provider, "aws");
    assert_eq!(subnet.type_name, "aws_subnet");
    assert_eq!(subnet.attributes["cidr_block"], "10.0.101.0/24");
    assert_eq!(subnet.dependencies, ["module.vpc.aws_vpc.this"]);
    assert_eq!(subnet.status, Status::Ready);
    assert!(s
        .resources
        .contains_key("module.vpc.aws_route.public_internet"));
    // EKS and IAM types are reported, with their counts; data sources are only counted.
    assert_eq!(got.skipped["aws_iam_role_policy_attachment"], 8);
    assert_eq!(got.skipped["aws_iam_role"], 6);
    assert_eq!(got.skipped.values().sum::<usize>(), 22);
    assert_eq!(got.skipped_data, 9);
    assert_eq!(got.terraform_version, "1.11.4");
    assert_eq!(s.serial, 0);
    assert_ne!(s.lineage, "d50509a4-0f59-2b12-9282-f1e282ee8419");
    assert_eq!(
        s.outputs["vpc_id"].value,
        s.resources["module.vpc.aws_vpc.this"].attributes["id"]
    );
    // Terraform's type of each output is kept (cty's type JSON, as hubctl writes it too).
    assert_eq!(s.outputs["vpc_id"].ty, Some(json!("string")));
}

#[test]
fn keys_providers_and_sensitive_paths() {
    let tf = json!({
        "version": 4, "terraform_version": "1.9.0", "serial": 3, "lineage": "l",
        "resources": [{
            "mode": "managed", "type": "t", "name": "n",
            "provider": "module.m.provider[\"registry.terraform.io/acme/t\"].west",
            "instances": [
                {"index_key": 0, "attributes": {"id": "a", "password": "p"},
                 "sensitive_attributes": [[{"type": "get_attr", "value": "password"}, {"type": "index", "value": {"value": 0, "type": "number"}}]],
                 "status": "tainted"},
                {"index_key": 1, "attributes": {"id": "b"}},
                {"index_key": 1, "deposed": "00aa", "attributes": {"id": "old"}}
            ]
        }]
    });
    let got = from_terraform(tf.to_string().as_bytes(), "x", &|_| true).unwrap();
    let a = &got.state.resources["t.n[0]"];
    assert_eq!(a.provider, "t.west");
    assert_eq!(a.sensitive_attributes, ["password"]);
    assert_eq!(a.status, Status::Tainted);
    assert_eq!(got.state.resources["t.n[1]"].attributes["id"], "b");
    assert_eq!(got.skipped_deposed, 1);
    assert_eq!(
        provider_key("provider[\"registry.terraform.io/hashicorp/aws\"]"),
        "aws"
    );
}

/// OpenTofu 1.9 writes the provider instance on each instance when the configuration has
/// `for_each` (internal/states/statefile/version4.go, `ProviderInstance` per instance).
#[test]
fn opentofu_instance_providers_keep_their_instance_key() {
    let tf = json!({
        "version": 4, "terraform_version": "1.9.0", "serial": 3, "lineage": "l",
        "resources": [{
            "mode": "managed", "type": "t", "name": "n",
            "instances": [
                {"index_key": "eu-west-1", "attributes": {"id": "a"},
                 "provider": "provider[\"registry.opentofu.org/acme/t\"].by_region[\"eu-west-1\"]"}
            ]
        }]
    });
    let got = from_terraform(tf.to_string().as_bytes(), "x", &|_| true).unwrap();
    assert_eq!(
        got.state.resources["t.n[\"eu-west-1\"]"].provider,
        "t.by_region[\"eu-west-1\"]"
    );
}

#[test]
fn other_formats_are_refused_clearly() {
    for (doc, needle) in [
        (
            json!({"version": 3, "terraform_version": "0.11"}),
            "version 3",
        ),
        (json!({"resources": []}), "not a Terraform state"),
        (
            json!({"version": 4, "lineage": "l", "serial": 1}),
            "hubctl state",
        ),
    ] {
        match from_terraform(doc.to_string().as_bytes(), "x", &|_| true) {
            Err(StateError::Corrupt { message, .. }) => {
                assert!(message.contains(needle), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(from_terraform(b"{", "x", &|_| true).is_err());
}

/// Two Terraform resource entries (or instances) with one address would overwrite each
/// other in the conversion; the import is refused instead.
#[test]
fn duplicate_addresses_are_refused() {
    let inst = json!({"attributes": {"id": "x"}});
    let res = json!({"mode": "managed", "type": "aws_vpc", "name": "this",
        "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]", "instances": [inst]});
    let tf = json!({"version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": "l",
        "outputs": {}, "resources": [res, res]});
    let bytes = serde_json::to_vec(&tf).unwrap();
    match from_terraform(&bytes, "t.tfstate", &|_| true) {
        Err(StateError::Corrupt { message, .. }) => {
            assert!(message.contains("aws_vpc.this appears twice"), "{message}")
        }
        other => panic!("expected Corrupt, got {:?}", other.map(|i| i.state)),
    }
}
