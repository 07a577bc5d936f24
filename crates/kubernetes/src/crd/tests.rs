use super::schema::{validate, Problem};
use super::*;
use crate::shape::set_at;
use hubctl_core::lang::funcs::yaml_document;
use serde_json::json;

const APPLICATION_CRD: &str =
    include_str!("../../../../modules/argocd-bootstrap/crds/application-crd.yaml");
const APPLICATIONSET_CRD: &str =
    include_str!("../../../../modules/argocd-bootstrap/crds/applicationset-crd.yaml");

fn v(j: serde_json::Value) -> Value {
    Value::from_json(&j)
}

fn yaml(s: &str) -> Value {
    crate::shape::normalize(&yaml_document(s).expect("YAML"))
}

/// The schema of the one version of a vendored CRD.
fn schema_of(crd: &str) -> Value {
    crate::shape::at(&yaml(crd), "spec.versions")
        .and_then(|v| v.as_seq())
        .and_then(|vs| vs.first())
        .and_then(|v| crate::shape::at(v, "schema.openAPIV3Schema"))
        .cloned()
        .expect("openAPIV3Schema")
}

/// The root Application of modules/argocd-bootstrap (apps.tf), as planned.
fn root_app() -> Value {
    v(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "hub-bootstrap", "namespace": "argocd",
                     "labels": {"app.kubernetes.io/part-of": "argocd"}},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://git.example.invalid/platform.git",
                       "targetRevision": "main", "path": "hub/argocd/bootstrap"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "argocd"},
            "syncPolicy": {"automated": {"prune": true, "selfHeal": true}}
        }
    }))
}

fn lines(ps: &[Problem]) -> Vec<String> {
    ps.iter().map(Problem::line).collect()
}

#[test]
fn the_modules_applications_pass_against_the_vendored_crds() {
    let schema = schema_of(APPLICATION_CRD);
    assert_eq!(lines(&validate(&schema, &root_app())), Vec::<String>::new());
    let addon = v(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "kro", "namespace": "argocd",
                     "annotations": {"argocd.argoproj.io/sync-wave": "-3"}},
        "spec": {
            "project": "default",
            "source": {"repoURL": "ghcr.io/kro-run/kro", "chart": "kro", "targetRevision": "0.2.1",
                       "helm": {"values": "{}\n"}},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "kro"},
            "syncPolicy": {"automated": {"prune": true, "selfHeal": true},
                           "syncOptions": ["CreateNamespace=true"]}
        }
    }));
    assert_eq!(lines(&validate(&schema, &addon)), Vec::<String>::new());
    let fleet = v(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
        "metadata": {"name": "spoke-fleet", "namespace": "argocd"},
        "spec": {
            "generators": [{"git": {"repoURL": "https://git.example.invalid/platform.git",
                "revision": "main", "files": [{"path": "config/spokes/*.yaml"}]}}],
            "template": {
                "metadata": {"name": "{{name}}-infrastructure"},
                "spec": {"project": "default",
                    "source": {"repoURL": "https://git.example.invalid/platform.git",
                               "targetRevision": "main", "path": "spokes/{{name}}"},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "{{name}}"}}
            }
        }
    }));
    let schema = schema_of(APPLICATIONSET_CRD);
    assert_eq!(lines(&validate(&schema, &fleet)), Vec::<String>::new());
}

#[test]
fn a_malformed_application_is_refused_in_the_api_servers_words() {
    let schema = schema_of(APPLICATION_CRD);
    let mut app = root_app();
    set_at(
        &mut app,
        "spec.source",
        v(json!({"repoUrl": "https://x", "path": "p"})),
    );
    set_at(&mut app, "spec.project", Value::int(5));
    let got = lines(&validate(&schema, &app));
    assert_eq!(
        got,
        vec![
            "spec.project: Invalid value: 5: spec.project in body must be of type string: \"integer\"",
            "spec.source.repoURL: Required value",
            "spec.source.repoUrl: Unknown field: the schema does not declare it (the API server would drop it)",
        ]
    );
    let mut app = root_app();
    set_at(&mut app, "spec.syncPolicy.syncOptions", v(json!(["A", 3])));
    set_at(&mut app, "spec.destination", Value::Null);
    assert_eq!(
        lines(&validate(&schema, &app)),
        vec![
            "spec.destination: Required value",
            "spec.syncPolicy.syncOptions[1]: Invalid value: 3: spec.syncPolicy.syncOptions[1] in body must be of type string: \"integer\"",
        ]
    );
}

#[test]
fn unknown_values_pass() {
    let schema = schema_of(APPLICATION_CRD);
    let mut app = root_app();
    set_at(&mut app, "spec.source.repoURL", Value::unknown());
    set_at(&mut app, "spec.destination", Value::unknown());
    assert_eq!(lines(&validate(&schema, &app)), Vec::<String>::new());
    let mut app = root_app();
    set_at(&mut app, "spec", Value::unknown());
    assert_eq!(lines(&validate(&schema, &app)), Vec::<String>::new());
}

/// A schema with one property per keyword, and what each refuses.
fn keywords() -> Value {
    yaml(
        r#"
type: object
properties:
  spec:
    type: object
    properties:
      mode: {type: string, enum: [fast, slow]}
      labels: {type: object, additionalProperties: {type: string}}
      free: {type: object, additionalProperties: true}
      closed: {type: object, additionalProperties: false, properties: {a: {type: string}}}
      raw: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {count: {type: integer}}}
      port: {x-kubernetes-int-or-string: true}
      tags: {type: array, minItems: 1, maxItems: 2, items: {type: string, nullable: true}}
      strict: {type: array, items: {type: string}}
      size: {type: integer, minimum: 1, maximum: 10, format: int32}
      ratio: {type: number, minimum: 0, exclusiveMinimum: true}
      name: {type: string, pattern: '^[a-z]+$', minLength: 2, maxLength: 5}
      at: {type: string, format: date-time}
      blob: {type: string, format: byte}
      flag: {type: boolean}
      inner:
        type: object
        x-kubernetes-embedded-resource: true
        properties: {spec: {type: object}}
"#,
    )
}

fn obj(spec: serde_json::Value) -> Value {
    v(json!({"apiVersion": "x.io/v1", "kind": "K", "metadata": {"name": "n"}, "spec": spec}))
}

#[test]
fn each_keyword_accepts_what_is_valid() {
    let ok = obj(json!({
        "mode": "fast", "labels": {"a": "b"}, "free": {"x": {"y": 1}}, "closed": {"a": "x"},
        "raw": {"count": 1, "anything": [1, "two"]}, "port": "http", "tags": ["a", null],
        "strict": [], "size": 10, "ratio": 0.5, "name": "abc", "at": "2024-05-01T10:00:00Z",
        "blob": "aGk=", "flag": false,
        "inner": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "spec": {}}
    }));
    assert_eq!(lines(&validate(&keywords(), &ok)), Vec::<String>::new());
    let port = obj(json!({"port": 8080}));
    assert_eq!(lines(&validate(&keywords(), &port)), Vec::<String>::new());
}

#[test]
fn each_keyword_refuses_what_is_not() {
    let bad = obj(json!({
        "mode": "medium", "labels": {"a": 1}, "closed": {"b": "x"}, "raw": {"count": "one"},
        "port": true, "tags": [], "strict": [null], "size": 0, "ratio": 0, "name": "A",
        "at": "yesterday", "blob": "%%", "flag": "yes", "inner": {"other": 1}, "extra": 1
    }));
    let got = lines(&validate(&keywords(), &bad));
    let want = [
        r#"spec.at: Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday""#,
        r#"spec.blob: Invalid value: "%%": spec.blob in body must be of type byte: "%%""#,
        "spec.closed.b: Unknown field: the schema does not declare it (the API server would drop it)",
        "spec.extra: Unknown field: the schema does not declare it (the API server would drop it)",
        r#"spec.flag: Invalid value: "yes": spec.flag in body must be of type boolean: "string""#,
        "spec.inner.other: Unknown field: the schema does not declare it (the API server would drop it)",
        r#"spec.labels.a: Invalid value: 1: spec.labels.a in body must be of type string: "integer""#,
        r#"spec.mode: Unsupported value: "medium": supported values: "fast", "slow""#,
        r#"spec.name: Invalid value: "A": spec.name in body should be at least 2 chars long"#,
        r#"spec.name: Invalid value: "A": spec.name in body should match '^[a-z]+$'"#,
        r#"spec.port: Invalid value: true: spec.port in body must be of type integer-or-string: "boolean""#,
        "spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0",
        r#"spec.raw.count: Invalid value: "one": spec.raw.count in body must be of type integer: "string""#,
        "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1",
        r#"spec.strict[0]: Invalid value: "null": spec.strict[0] in body must be of type string: "null""#,
        "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items",
    ];
    assert_eq!(got, want);
    let big = obj(json!({"tags": ["a", "b", "c"], "size": 11, "name": "abcdefg"}));
    assert_eq!(
        lines(&validate(&keywords(), &big)),
        [
            r#"spec.name: Invalid value: "abcdefg": spec.name in body may not be longer than 5"#,
            "spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10",
            "spec.tags: Too many: 3: spec.tags in body must have at most 2 items",
        ]
    );
    let huge = obj(json!({"size": 3_000_000_000_i64}));
    assert_eq!(
        lines(&validate(&keywords(), &huge)),
        [
            "spec.size: Invalid value: 3000000000: spec.size in body should be less than or equal to 10",
            r#"spec.size: Invalid value: 3000000000: spec.size in body must be of type int32: "3000000000""#,
        ]
    );
}

#[test]
fn map_keys_with_dots_are_bracketed_and_sensitive_values_hidden() {
    let schema = yaml("type: object\nproperties:\n  spec:\n    type: object\n    additionalProperties: {type: integer}\n");
    let mut o = obj(json!({}));
    set_at(
        &mut o,
        "spec",
        Value::object([("a.b/c", Value::Sensitive(Box::new(Value::from("secret"))))]),
    );
    assert_eq!(
        lines(&validate(&schema, &o)),
        ["spec[a.b/c]: Invalid value: (sensitive value): spec[a.b/c] in body must be of type integer: \"string\""]
    );
}

fn planned(address: &str, type_name: &str, value: Value) -> PlannedInstance {
    PlannedInstance {
        address: address.into(),
        type_name: type_name.into(),
        data: false,
        value,
        refs: vec![],
    }
}

/// The Application CRD as a `kubectl_manifest`, and a malformed Application as a
/// `kubernetes_manifest`: the kubernetes provider reports it, the kubectl provider does not.
#[test]
fn the_plans_crd_judges_custom_resources_of_another_provider() {
    let crd = planned(
        "kubectl_manifest.crd",
        "kubectl_manifest",
        Value::object([("yaml_body", Value::from(APPLICATION_CRD))]),
    );
    let mut app = root_app();
    set_at(&mut app, "spec.source.repoURL", Value::Null);
    let cr = planned(
        "module.argocd.kubernetes_manifest.root",
        "kubernetes_manifest",
        Value::object([("manifest", app)]),
    );
    let all = [crd, cr];
    let f = check_plan(&all, &["kubernetes_manifest"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].address, "module.argocd.kubernetes_manifest.root");
    assert_eq!(f[0].attribute, "manifest");
    assert_eq!(f[0].path, ["spec", "source", "repoURL"]);
    assert_eq!(f[0].summary, "Invalid Application");
    assert!(
        f[0].detail.starts_with(
            "Application.argoproj.io \"hub-bootstrap\" is invalid: spec.source.repoURL: Required value"
        ),
        "{}",
        f[0].detail
    );
    assert!(
        f[0].detail.contains("kubectl_manifest.crd"),
        "{}",
        f[0].detail
    );
    assert_eq!(
        f[0].related.as_ref().map(|r| r.0.as_str()),
        Some("kubectl_manifest.crd")
    );
    assert!(check_plan(&all, &["kubectl_manifest"]).is_empty());
}

#[test]
fn an_unserved_version_is_refused_and_an_unknown_crd_judges_nothing() {
    let crd = planned(
        "kubernetes_manifest.crd",
        "kubernetes_manifest",
        Value::object([("manifest", yaml(APPLICATION_CRD))]),
    );
    let mut app = root_app();
    set_at(&mut app, "apiVersion", Value::from("argoproj.io/v1"));
    let cr = planned(
        "kubernetes_manifest.root",
        "kubernetes_manifest",
        Value::object([("manifest", app)]),
    );
    let f = check_plan(&[crd, cr.clone()], &["kubernetes_manifest"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].path, ["apiVersion"]);
    assert!(
        f[0].detail
            .contains("serves no version \"v1\" of Application: it serves v1alpha1"),
        "{}",
        f[0].detail
    );
    // A CRD whose manifest is not known yet defines nothing the plan can judge by.
    let unknown = planned(
        "kubernetes_manifest.crd",
        "kubernetes_manifest",
        Value::object([("manifest", Value::unknown())]),
    );
    assert!(check_plan(&[unknown, cr], &["kubernetes_manifest"]).is_empty());
}
