//! IAM policy documents compared by meaning, not by text: key order, whitespace, a
//! one-element list versus a string, and the order of actions, resources, principals,
//! condition values and statements never make a diff. Every policy attribute (a role's
//! `assume_role_policy`, a policy's or a key's `policy`) uses this one rule, on both sides:
//! the plan keeps the prior text when the new one means the same, and a read keeps the
//! configured text when AWS answers an equivalent one (IAM reformats and URL-encodes).

use hubctl_core::lang::Value;
use serde_json::{Map, Value as J};

/// Statement keys whose value is one string or a list of strings, order meaningless.
const LISTS: &[&str] = &["Action", "NotAction", "Resource", "NotResource"];

/// The canonical form of a policy document, or `None` when it is not JSON.
pub fn canonical(doc: &str) -> Option<J> {
    let j: J = serde_json::from_str(doc).ok()?;
    Some(normalize_doc(j))
}

/// Whether two policy texts mean the same (both must parse).
pub fn equivalent(a: &str, b: &str) -> bool {
    a == b || matches!((canonical(a), canonical(b)), (Some(x), Some(y)) if x == y)
}

fn normalize_doc(j: J) -> J {
    let J::Object(m) = j else { return j };
    let mut out = Map::new();
    for (k, v) in m {
        let v = if k == "Statement" {
            // One statement object is the same as a list of one; statements form a set.
            let mut xs: Vec<J> = as_list(v).into_iter().map(normalize_statement).collect();
            xs.sort_by_key(|x| x.to_string());
            xs.dedup();
            J::Array(xs)
        } else {
            v
        };
        out.insert(k, v);
    }
    sorted(out)
}

fn normalize_statement(j: J) -> J {
    let J::Object(m) = j else { return j };
    let mut out = Map::new();
    for (k, v) in m {
        let v = match k.as_str() {
            // An empty Sid is the same as none.
            "Sid" if v.as_str() == Some("") => continue,
            k if LISTS.contains(&k) => string_set(v),
            "Principal" | "NotPrincipal" => principals(v),
            "Condition" => conditions(v),
            _ => v,
        };
        out.insert(k, v);
    }
    sorted(out)
}

/// `"*"` stays itself (IAM treats it unlike `{"AWS": "*"}` in trust policies); a map's
/// identifiers become sorted lists.
fn principals(v: J) -> J {
    match v {
        J::Object(m) => sorted(m.into_iter().map(|(k, v)| (k, string_set(v))).collect()),
        v => v,
    }
}

/// Test → variable → values, the values a sorted list of strings (`true` is `"true"`).
fn conditions(v: J) -> J {
    let J::Object(tests) = v else { return v };
    let tests = tests.into_iter().map(|(test, vars)| {
        let vars = match vars {
            J::Object(vs) => sorted(vs.into_iter().map(|(k, v)| (k, string_set(v))).collect()),
            v => v,
        };
        (test, vars)
    });
    sorted(tests.collect())
}

fn as_list(v: J) -> Vec<J> {
    match v {
        J::Array(xs) => xs,
        J::Null => vec![],
        v => vec![v],
    }
}

fn string_set(v: J) -> J {
    let mut xs: Vec<String> = as_list(v)
        .into_iter()
        .map(|x| match x {
            J::String(s) => s,
            x => x.to_string(),
        })
        .collect();
    xs.sort();
    xs.dedup();
    J::Array(xs.into_iter().map(J::String).collect())
}

fn sorted(m: Map<String, J>) -> J {
    let mut kv: Vec<(String, J)> = m.into_iter().collect();
    kv.sort_by(|a, b| a.0.cmp(&b.0));
    J::Object(kv.into_iter().collect())
}

/// The plan rule of every policy attribute: where the planned text means what the prior
/// text meant, the prior text stays, so an equivalent rewrite is no change.
pub fn keep_equivalent(prior: Option<&Value>, planned: &mut Value, attr: &str) {
    let Some(old) = prior
        .and_then(|p| p.get_attr(attr))
        .and_then(|v| v.peel().as_str())
    else {
        return;
    };
    let Some(new) = planned.get_attr(attr).and_then(|v| v.peel().as_str()) else {
        return;
    };
    if old != new && equivalent(old, new) {
        let keep = prior.and_then(|p| p.get_attr(attr)).cloned();
        if let (Some(m), Some(keep)) = (planned.as_map_mut(), keep) {
            m.insert(attr.to_string(), keep);
        }
    }
}

/// What a read puts in state for a policy AWS answered as `actual`: the configured (or
/// prior) text in `base` when it means the same, so IAM's reformatting is no diff.
pub fn read_keeping(actual: Option<&str>, base: &Value, attr: &str) -> Value {
    let Some(actual) = actual else {
        return Value::Null;
    };
    let actual = decode_url(actual);
    match base.get_attr(attr).and_then(|v| v.peel().as_str()) {
        Some(b) if equivalent(b, &actual) => Value::from(b),
        _ => Value::from(actual),
    }
}

/// A trust policy condition on an OIDC issuer the statement does not trust: a statement
/// whose `Federated` principals are OIDC providers (`...:oidc-provider/<issuer>`) and that
/// conditions on `<other issuer>:sub` (or `:aud`, `:amr`) can never be satisfied, and AWS
/// accepts it silently. Returns what is wrong, naming both issuers.
pub fn foreign_issuer(doc: &str) -> Option<String> {
    let j: J = serde_json::from_str(doc).ok()?;
    for st in as_list(j.get("Statement")?.clone()) {
        let federated = st
            .get("Principal")
            .and_then(|p| p.get("Federated"))
            .cloned();
        let issuers: Vec<String> = as_list(federated.unwrap_or(J::Null))
            .iter()
            .filter_map(|f| {
                f.as_str()?
                    .split_once(":oidc-provider/")
                    .map(|(_, i)| i.to_string())
            })
            .collect();
        if issuers.is_empty() {
            continue;
        }
        let Some(J::Object(tests)) = st.get("Condition") else {
            continue;
        };
        for var in tests
            .values()
            .filter_map(J::as_object)
            .flat_map(|m| m.keys())
        {
            let Some((issuer, claim)) = var.rsplit_once(':') else {
                continue;
            };
            let oidc_claim = matches!(claim, "sub" | "aud" | "amr" | "oaud");
            if oidc_claim && issuer.contains('.') && !issuers.iter().any(|i| i == issuer) {
                return Some(format!(
                    "the condition on \"{var}\" names the OIDC issuer \"{issuer}\", but the statement trusts only {}: no token could satisfy it, so the role could never be assumed",
                    issuers.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    None
}

/// IAM returns policy documents URL-encoded (`%7B%22Version%22...`); decoded once, and only
/// when it is not JSON already.
pub fn decode_url(s: &str) -> String {
    if s.trim_start().starts_with('{') || !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*","Principal":{"Service":["eks.amazonaws.com","ec2.amazonaws.com"]}}]}"#;

    #[test]
    fn key_order_whitespace_lists_and_order_make_no_difference() {
        let b = r#"{
          "Statement": {"Principal": {"Service": ["ec2.amazonaws.com", "eks.amazonaws.com"]},
                        "Resource": ["*"], "Action": ["s3:PutObject", "s3:GetObject"], "Effect": "Allow"},
          "Version": "2012-10-17"
        }"#;
        assert!(equivalent(A, b));
    }

    #[test]
    fn a_different_action_principal_or_condition_is_a_difference() {
        assert!(!equivalent(
            A,
            &A.replace("s3:PutObject", "s3:DeleteObject")
        ));
        assert!(!equivalent(
            A,
            &A.replace("ec2.amazonaws.com", "x.amazonaws.com")
        ));
        assert!(!equivalent(A, &A.replace("Allow", "Deny")));
        let c1 = r#"{"Statement":[{"Condition":{"StringEquals":{"k":"a"}}}]}"#;
        let c2 = r#"{"Statement":[{"Condition":{"StringEquals":{"k":["a","b"]}}}]}"#;
        let c3 = r#"{"Statement":[{"Condition":{"StringEquals":{"k":["b","a"]}}}]}"#;
        assert!(!equivalent(c1, c2));
        assert!(equivalent(c2, c3));
        // "*" and {"AWS": "*"} are not the same principal in a trust policy.
        let star = r#"{"Statement":[{"Principal":"*"}]}"#;
        let aws_star = r#"{"Statement":[{"Principal":{"AWS":"*"}}]}"#;
        assert!(!equivalent(star, aws_star));
    }

    #[test]
    fn a_condition_on_another_issuer_than_the_trusted_provider_is_found() {
        let trust = |cond_issuer: &str| {
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity","Principal":{{"Federated":"arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/A"}},"Condition":{{"StringEquals":{{"{cond_issuer}:sub":"system:serviceaccount:kro:kro","{cond_issuer}:aud":"sts.amazonaws.com"}}}}}}]}}"#
            )
        };
        assert_eq!(
            foreign_issuer(&trust("oidc.eks.us-east-1.amazonaws.com/id/A")),
            None
        );
        let msg = foreign_issuer(&trust("oidc.eks.us-east-1.amazonaws.com/id/B")).expect("found");
        assert!(msg.contains("id/B") && msg.contains("id/A"), "{msg}");
        // Not an OIDC trust: nothing to check.
        assert_eq!(foreign_issuer(DOC_NO_OIDC), None);
    }

    const DOC_NO_OIDC: &str = r#"{"Statement":[{"Principal":{"Service":"eks.amazonaws.com"},"Condition":{"StringEquals":{"aws:SourceAccount":"1"}}}]}"#;

    #[test]
    fn statement_order_makes_no_difference() {
        let a = r#"{"Statement":[{"Sid":"A","Action":"a:A"},{"Sid":"B","Action":"b:B"}]}"#;
        let b = r#"{"Statement":[{"Sid":"B","Action":"b:B"},{"Action":"a:A","Sid":"A"}]}"#;
        assert!(equivalent(a, b));
    }

    #[test]
    fn reads_keep_the_configured_text_and_decode_iam_urls() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22s3%3APutObject%22%2C%22s3%3AGetObject%22%5D%2C%22Resource%22%3A%5B%22%2A%22%5D%2C%22Principal%22%3A%7B%22Service%22%3A%5B%22ec2.amazonaws.com%22%2C%22eks.amazonaws.com%22%5D%7D%7D%5D%7D";
        let base = Value::map([("policy", Value::from(A))]);
        assert_eq!(read_keeping(Some(encoded), &base, "policy"), Value::from(A));
        let other = Value::map([("policy", Value::from("{}"))]);
        let got = read_keeping(Some(encoded), &other, "policy");
        assert!(got.as_str().is_some_and(|s| s.starts_with("{\"Version\"")));
    }

    #[test]
    fn the_plan_keeps_the_prior_text_for_an_equivalent_rewrite() {
        let prior = Value::map([("policy", Value::from(A))]);
        let rewritten = A.replace(
            r#"["s3:GetObject","s3:PutObject"]"#,
            r#"["s3:PutObject","s3:GetObject"]"#,
        );
        let mut planned = Value::map([("policy", Value::from(rewritten.as_str()))]);
        keep_equivalent(Some(&prior), &mut planned, "policy");
        assert_eq!(planned, prior);
        let changed = A.replace("s3:PutObject", "s3:ListBucket");
        let mut planned = Value::map([("policy", Value::from(changed.as_str()))]);
        keep_equivalent(Some(&prior), &mut planned, "policy");
        assert_eq!(
            planned.get_attr("policy"),
            Some(&Value::from(changed.as_str()))
        );
    }
}
