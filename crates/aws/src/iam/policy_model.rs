//! The policy document model of `aws_iam_policy_document`: statements, the provider's merge
//! by Sid, its JSON rendering (fixed key order, principal and condition maps by key, `"*"`)
//! and its decoding of JSON documents (`source_policy_documents`, overrides), which keeps a
//! document's own spelling of each list.

use serde_json::{Map, Value as J};
use std::collections::BTreeMap;

/// Identifiers or values: one string or a list, as the document spells them.
#[derive(Clone, Debug, PartialEq)]
pub enum Strs {
    One(String),
    Many(Vec<String>),
}

#[derive(Clone, Debug, Default)]
pub struct Statement {
    pub sid: String,
    pub effect: String,
    /// Action, NotAction, Resource, NotResource: kept as written (a string or a list).
    pub lists: [Option<J>; 4],
    pub principals: Vec<(String, Strs)>,
    pub not_principals: Vec<(String, Strs)>,
    pub conditions: Vec<(String, String, Strs)>,
}

#[derive(Clone, Debug, Default)]
pub struct Doc {
    pub version: String,
    pub id: String,
    pub statements: Vec<Statement>,
}

pub const LIST_KEYS: [&str; 4] = ["Action", "NotAction", "Resource", "NotResource"];
pub const LIST_ARGS: [&str; 4] = ["actions", "not_actions", "resources", "not_resources"];

impl Doc {
    /// The provider's merge: the later Id and the greater Version win; a statement with a
    /// Sid already present replaces it in place, others are appended.
    pub fn merge(&mut self, other: Doc) {
        if !other.id.is_empty() {
            self.id = other.id;
        }
        if other.version > self.version {
            self.version = other.version;
        }
        for st in other.statements {
            let at = (!st.sid.is_empty())
                .then(|| self.statements.iter().position(|s| s.sid == st.sid))
                .flatten();
            match at {
                Some(i) => self.statements[i] = st,
                None => self.statements.push(st),
            }
        }
    }

    pub fn to_json(&self) -> J {
        let mut m = Map::new();
        if !self.version.is_empty() {
            m.insert("Version".into(), J::from(self.version.as_str()));
        }
        if !self.id.is_empty() {
            m.insert("Id".into(), J::from(self.id.as_str()));
        }
        if !self.statements.is_empty() {
            let sts = self.statements.iter().map(Statement::to_json).collect();
            m.insert("Statement".into(), J::Array(sts));
        }
        J::Object(m)
    }
}

pub fn strs_json(s: &Strs) -> J {
    match s {
        Strs::One(x) => J::from(x.as_str()),
        Strs::Many(xs) => J::Array(xs.iter().map(|x| J::from(x.as_str())).collect()),
    }
}

/// Principals by type (sorted): lists of one type are appended, reverse-sorted each.
fn principals_json(ps: &[(String, Strs)]) -> J {
    if let [(t, ids)] = ps {
        let star = match ids {
            Strs::One(s) => s == "*",
            Strs::Many(v) => v.len() == 1 && v[0] == "*",
        };
        if t == "*" && star {
            return J::from("*");
        }
    }
    let mut raw: BTreeMap<&str, Strs> = BTreeMap::new();
    for (t, ids) in ps {
        let merged = join(raw.remove(t.as_str()), ids, true);
        raw.insert(t, merged);
    }
    J::Object(
        raw.into_iter()
            .map(|(k, v)| (k.to_string(), strs_json(&v)))
            .collect(),
    )
}

/// The provider's accumulation of one principal type's (or one condition key's) values
/// over several blocks: a first string stays a string, anything more becomes a list, each
/// principal list reverse-sorted (`sort`), condition values kept in order.
fn join(prev: Option<Strs>, next: &Strs, sort: bool) -> Strs {
    match (prev, next) {
        (None, Strs::One(s)) => Strs::One(s.clone()),
        (prev, Strs::Many(v)) => {
            let mut v = v.clone();
            if sort {
                v.sort_by(|a, b| b.cmp(a));
            }
            let mut all = match prev {
                None => vec![],
                Some(Strs::One(s)) => vec![s],
                Some(Strs::Many(p)) => p,
            };
            all.extend(v);
            Strs::Many(all)
        }
        (Some(Strs::One(p)), Strs::One(s)) => Strs::Many(vec![p, s.clone()]),
        (Some(Strs::Many(mut p)), Strs::One(s)) => {
            p.push(s.clone());
            Strs::Many(p)
        }
    }
}

fn conditions_json(cs: &[(String, String, Strs)]) -> J {
    let mut raw: BTreeMap<&str, BTreeMap<&str, Strs>> = BTreeMap::new();
    for (test, var, vals) in cs {
        let vars = raw.entry(test).or_default();
        let v = join(vars.remove(var.as_str()), vals, false);
        vars.insert(var, v);
    }
    let inner = |m: BTreeMap<&str, Strs>| {
        J::Object(
            m.into_iter()
                .map(|(k, v)| (k.to_string(), strs_json(&v)))
                .collect(),
        )
    };
    J::Object(
        raw.into_iter()
            .map(|(k, v)| (k.to_string(), inner(v)))
            .collect(),
    )
}

impl Statement {
    fn to_json(&self) -> J {
        let mut m = Map::new();
        if !self.sid.is_empty() {
            m.insert("Sid".into(), J::from(self.sid.as_str()));
        }
        if !self.effect.is_empty() {
            m.insert("Effect".into(), J::from(self.effect.as_str()));
        }
        for (k, v) in LIST_KEYS.iter().zip(&self.lists) {
            if let Some(v) = v {
                m.insert(k.to_string(), v.clone());
            }
        }
        if !self.principals.is_empty() {
            m.insert("Principal".into(), principals_json(&self.principals));
        }
        if !self.not_principals.is_empty() {
            m.insert("NotPrincipal".into(), principals_json(&self.not_principals));
        }
        if !self.conditions.is_empty() {
            m.insert("Condition".into(), conditions_json(&self.conditions));
        }
        J::Object(m)
    }
}

/// The value of `key` in a JSON object, its name matched without regard to case (as Go's
/// decoder matches struct fields).
fn field<'a>(m: &'a Map<String, J>, key: &str) -> Option<&'a J> {
    m.get(key).or_else(|| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn strs_of(j: &J) -> Option<Strs> {
    match j {
        J::String(s) => Some(Strs::One(s.clone())),
        J::Array(xs) => Some(Strs::Many(
            xs.iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect(),
        )),
        _ => None,
    }
}

fn principals_of(j: Option<&J>) -> Vec<(String, Strs)> {
    match j {
        Some(J::String(s)) => vec![("*".into(), Strs::One(s.clone()))],
        Some(J::Object(m)) => m
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), strs_of(v)?)))
            .collect(),
        _ => vec![],
    }
}

/// A statement of a JSON document, as the provider decodes it.
fn statement_of(j: &J) -> Result<Statement, String> {
    let m = j.as_object().ok_or("a statement is not a JSON object")?;
    let s = |k: &str| {
        field(m, k)
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut conditions = Vec::new();
    if let Some(J::Object(tests)) = field(m, "Condition") {
        for (test, vars) in tests {
            for (var, vals) in vars.as_object().into_iter().flatten() {
                conditions.extend(strs_of(vals).map(|v| (test.clone(), var.clone(), v)));
            }
        }
    }
    Ok(Statement {
        sid: s("Sid"),
        effect: s("Effect"),
        lists: LIST_KEYS.map(|k| field(m, k).filter(|v| !v.is_null()).cloned()),
        principals: principals_of(field(m, "Principal")),
        not_principals: principals_of(field(m, "NotPrincipal")),
        conditions,
    })
}

pub fn doc_of(text: &str) -> Result<Doc, String> {
    let j: J =
        serde_json::from_str(text).map_err(|e| format!("not a JSON policy document: {e}"))?;
    let m = j.as_object().ok_or("a policy document is a JSON object")?;
    let s = |k: &str| {
        field(m, k)
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let statements = match field(m, "Statement") {
        Some(J::Array(xs)) => xs.iter().map(statement_of).collect::<Result<_, _>>()?,
        // The provider refuses a lone statement object here (its decoder wants a list).
        Some(J::Object(_)) => return Err("\"Statement\" is one object; the AWS provider (and so hubctl) needs a list of statements here: write [ { ... } ]".into()),
        _ => vec![],
    };
    Ok(Doc {
        version: s("Version"),
        id: s("Id"),
        statements,
    })
}
