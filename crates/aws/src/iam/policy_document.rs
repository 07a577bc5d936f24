//! Data source `aws_iam_policy_document`: a policy rendered from `statement` blocks, merged
//! with `source_policy_documents` before and `override_policy_documents` after (a statement
//! with the same `Sid` replaces the earlier one), into the JSON text the Terraform AWS
//! provider makes, byte for byte (checked against recorded output,
//! `crates/aws/testdata/policy-document-terraform-1.11.json`).
//!
//! The provider's rendering rules, which the recording shows: keys in a fixed order
//! (Version, Id, Statement; Sid, Effect, Action, NotAction, Resource, NotResource,
//! Principal, NotPrincipal, Condition), empty parts left out; a configured set of one
//! element becomes a string, a longer one a list in reverse lexical order; condition
//! values keep their order; principal and condition maps are sorted by key; a principal
//! `*` of type `*` is the string `"*"`; statements of a JSON document keep their own
//! spelling; `&{var}` becomes `${var}` (version 2012-10-17); `<`, `>` and `&` are escaped
//! as `\u003c`... (Go's encoder); `id` is the CRC-32 of `json`. No API call is made.

use super::policy_model::{doc_of, strs_json, Doc, Statement, Strs, LIST_ARGS};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{
    AttrSchema, BlockSchema, DataSource, Invalid, Nesting, OpContext, ProviderError, Schema,
};
use serde_json::Value as J;
use std::sync::OnceLock;

pub struct PolicyDocument;

const VERSIONS: [&str; 2] = ["2008-10-17", "2012-10-17"];

fn set_of_strings() -> AttrSchema {
    AttrSchema::optional(Type::Set(Box::new(Type::String)))
}

fn block(nesting: Nesting, schema: Schema) -> BlockSchema {
    BlockSchema {
        nesting,
        min_items: 0,
        max_items: None,
        force_new: false,
        schema,
    }
}

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let s = || AttrSchema::optional(Type::String);
        let req = || AttrSchema::required(Type::String);
        let principals = Schema::new().attr("type", req()).attr(
            "identifiers",
            AttrSchema::required(Type::Set(Box::new(Type::String))),
        );
        let condition = Schema::new()
            .attr("test", req())
            .attr("variable", req())
            .attr(
                "values",
                AttrSchema::required(Type::List(Box::new(Type::String))),
            );
        let statement = Schema::new()
            .attr("sid", s())
            .attr("effect", s().default(Value::from("Allow")))
            .attr("actions", set_of_strings())
            .attr("not_actions", set_of_strings())
            .attr("resources", set_of_strings())
            .attr("not_resources", set_of_strings())
            .block("principals", block(Nesting::Set, principals.clone()))
            .block("not_principals", block(Nesting::Set, principals))
            .block("condition", block(Nesting::Set, condition));
        let list = || AttrSchema::optional(Type::List(Box::new(Type::String)));
        Schema::new()
            .attr("id", AttrSchema::computed(Type::String))
            .attr("json", AttrSchema::computed(Type::String))
            .attr("minified_json", AttrSchema::computed(Type::String))
            .attr("version", s().default(Value::from("2012-10-17")))
            .attr("policy_id", s())
            .attr("source_policy_documents", list())
            .attr("override_policy_documents", list())
            .attr("source_json", s())
            .attr("override_json", s())
            .block("statement", block(Nesting::List, statement))
    })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    let xs = v.and_then(|v| v.peel().as_seq()).unwrap_or(&[]);
    xs.iter()
        .filter_map(|x| x.peel().as_str().map(str::to_string))
        .collect()
}

/// `&{var}` → `${var}` for version 2012-10-17; refused in a 2008-10-17 document.
fn vars(xs: Vec<String>, version: &str, what: &str) -> Result<Vec<String>, String> {
    xs.into_iter()
        .map(|x| match (x.contains("&{"), version) {
            (false, _) => Ok(x),
            (true, "2012-10-17") => Ok(x.replace("&{", "${")),
            (true, v) => Err(format!("reading {what}: found &{{ sequence in ({x}), which is not supported in document version {v}")),
        })
        .collect()
}

/// A configured set: one element is a string, more a reverse-sorted list.
fn set_strs(mut xs: Vec<String>) -> Strs {
    if xs.len() == 1 {
        return Strs::One(xs.remove(0));
    }
    xs.sort_by(|a, b| b.cmp(a));
    xs.dedup();
    Strs::Many(xs)
}

fn config_principals(
    v: Option<&Value>,
    version: &str,
    what: &str,
) -> Result<Vec<(String, Strs)>, String> {
    let blocks = v.and_then(Value::as_seq).unwrap_or(&[]);
    blocks
        .iter()
        .map(|b| {
            let t = b
                .get_attr("type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let ids = vars(strings(b.get_attr("identifiers")), version, what)?;
            Ok((t.to_string(), set_strs(ids)))
        })
        .collect()
}

fn config_statement(st: &Value, version: &str) -> Result<Statement, String> {
    let s = |k: &str| {
        st.get_attr(k)
            .and_then(|v| v.peel().as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut lists: [Option<J>; 4] = Default::default();
    for (i, arg) in LIST_ARGS.iter().enumerate() {
        let xs = vars(strings(st.get_attr(arg)), version, arg)?;
        lists[i] = (!xs.is_empty()).then(|| strs_json(&set_strs(xs)));
    }
    let mut conditions = Vec::new();
    for c in st
        .get_attr("condition")
        .and_then(Value::as_seq)
        .unwrap_or(&[])
    {
        let g = |k: &str| {
            c.get_attr(k)
                .and_then(|v| v.peel().as_str())
                .unwrap_or_default()
                .to_string()
        };
        let mut vals = vars(strings(c.get_attr("values")), version, "condition values")?;
        let vals = if vals.len() == 1 {
            Strs::One(vals.remove(0))
        } else {
            Strs::Many(vals)
        };
        conditions.push((g("test"), g("variable"), vals));
    }
    Ok(Statement {
        sid: s("sid"),
        effect: s("effect"),
        lists,
        principals: config_principals(st.get_attr("principals"), version, "principals")?,
        not_principals: config_principals(
            st.get_attr("not_principals"),
            version,
            "not_principals",
        )?,
        conditions,
    })
}

/// The merged document of a configuration.
fn merged(config: &Value) -> Result<Doc, String> {
    let mut doc = Doc::default();
    let mut sids = std::collections::BTreeSet::new();
    for (i, text) in strings(config.get_attr("source_policy_documents"))
        .iter()
        .enumerate()
    {
        let src = doc_of(text).map_err(|e| format!("source_policy_documents[{i}]: {e}"))?;
        for (j, st) in src.statements.iter().enumerate() {
            if !st.sid.is_empty() && !sids.insert(st.sid.clone()) {
                return Err(format!("duplicate SID ({}) in source_policy_documents (item {i}; statement {j}). Remove the SID or ensure SIDs are unique.", st.sid));
            }
        }
        doc.merge(src);
    }
    let s = |k: &str| {
        config
            .get_attr(k)
            .and_then(|v| v.peel().as_str())
            .unwrap_or_default()
            .to_string()
    };
    let version = Some(s("version"))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "2012-10-17".into());
    let statements = config
        .get_attr("statement")
        .and_then(Value::as_seq)
        .unwrap_or(&[]);
    let own = Doc {
        statements: statements
            .iter()
            .map(|st| config_statement(st, &version))
            .collect::<Result<_, _>>()?,
        version,
        id: s("policy_id"),
    };
    doc.merge(own);
    for (i, text) in strings(config.get_attr("override_policy_documents"))
        .iter()
        .enumerate()
    {
        doc.merge(doc_of(text).map_err(|e| format!("override_policy_documents[{i}]: {e}"))?);
    }
    Ok(doc)
}

/// Go's encoder escapes these inside strings (they appear nowhere else in JSON text).
fn go_escape(s: String) -> String {
    if !s.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return s;
    }
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// `json`, `minified_json` and `id` of a configuration.
pub fn render(config: &Value) -> Result<(String, String, String), String> {
    let j = merged(config)?.to_json();
    let pretty = go_escape(serde_json::to_string_pretty(&j).unwrap_or_default());
    let mini = go_escape(j.to_string());
    let id = crc32fast::hash(pretty.as_bytes()).to_string();
    Ok((pretty, mini, id))
}

#[async_trait::async_trait]
impl DataSource for PolicyDocument {
    fn type_name(&self) -> &'static str {
        "aws_iam_policy_document"
    }

    fn schema(&self) -> &Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        validate(config)
    }

    async fn read(&self, _: &OpContext<'_>, config: &Value) -> Result<Value, ProviderError> {
        let (json, mini, id) = render(config).map_err(ProviderError::msg)?;
        let mut m = config.as_map().cloned().unwrap_or_default();
        m.insert("json".into(), Value::from(json));
        m.insert("minified_json".into(), Value::from(mini));
        m.insert("id".into(), Value::from(id));
        Ok(Value::Object(m))
    }
}

/// The version, each effect and each Sid, checked where they are written.
fn validate(config: &Value) -> Vec<Invalid> {
    let mut out = Vec::new();
    for name in ["source_json", "override_json"] {
        if config.get_attr(name).is_some_and(|v| !v.is_null()) {
            let instead = if name == "source_json" {
                "source_policy_documents"
            } else {
                "override_policy_documents"
            };
            out.push(Invalid::at(&[name], "Unsupported argument", format!("\"{name}\" is deprecated in the AWS provider and not supported by hubctl: use \"{instead}\" = [...] instead.")));
        }
    }
    if let Some(v) = config.get_attr("version").and_then(Value::as_str) {
        if !VERSIONS.contains(&v) {
            out.push(Invalid::at(
                &["version"],
                "Invalid value",
                format!("expected version to be one of {VERSIONS:?}, got {v}"),
            ));
        }
    }
    let mut sids = std::collections::BTreeSet::new();
    let statements = config
        .get_attr("statement")
        .and_then(Value::as_seq)
        .unwrap_or(&[]);
    for (i, st) in statements.iter().enumerate() {
        let i = i.to_string();
        if let Some(e) = st.get_attr("effect").and_then(Value::as_str) {
            if e != "Allow" && e != "Deny" {
                out.push(Invalid::at(
                    &["statement", &i, "effect"],
                    "Invalid value",
                    format!("expected effect to be one of [\"Allow\" \"Deny\"], got {e}"),
                ));
            }
        }
        if let Some(sid) = st
            .get_attr("sid")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            if !sids.insert(sid.to_string()) {
                out.push(Invalid::at(
                    &["statement", &i, "sid"],
                    "Duplicate Sid",
                    format!("duplicate Sid ({sid}). Remove the Sid or ensure the Sid is unique."),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(pairs: Vec<(&str, Value)>) -> Value {
        Value::map(pairs)
    }

    fn set(xs: &[&str]) -> Value {
        Value::set(xs.iter().map(|s| Value::from(*s)).collect())
    }

    #[test]
    fn one_element_is_a_string_and_more_are_reverse_sorted() {
        let cfg = Value::map([(
            "statement",
            Value::List(vec![st(vec![
                ("effect", Value::from("Allow")),
                ("actions", set(&["b:B", "a:A", "c:C"])),
                ("resources", set(&["*"])),
            ])]),
        )]);
        let (_, mini, _) = render(&cfg).unwrap();
        assert_eq!(
            mini,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["c:C","b:B","a:A"],"Resource":"*"}]}"#
        );
    }

    #[test]
    fn a_source_with_a_lone_statement_object_is_refused_as_the_provider_does() {
        let doc = Value::from(r#"{"Statement":{"Effect":"Allow","Action":"a:A"}}"#);
        let cfg = Value::map([("source_policy_documents", Value::List(vec![doc]))]);
        let e = render(&cfg).unwrap_err();
        assert!(
            e.starts_with("source_policy_documents[0]:") && e.contains("list of statements"),
            "{e}"
        );
    }

    #[test]
    fn bad_effects_versions_and_duplicate_sids_are_found_at_their_place() {
        let cfg = Value::map([
            ("version", Value::from("2020-01-01")),
            (
                "statement",
                Value::List(vec![
                    st(vec![
                        ("sid", Value::from("A")),
                        ("effect", Value::from("allow")),
                    ]),
                    st(vec![("sid", Value::from("A"))]),
                ]),
            ),
        ]);
        let paths: Vec<Vec<String>> = validate(&cfg).into_iter().map(|f| f.path).collect();
        let p = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            paths,
            vec![
                p(&["version"]),
                p(&["statement", "0", "effect"]),
                p(&["statement", "1", "sid"])
            ]
        );
    }
}
