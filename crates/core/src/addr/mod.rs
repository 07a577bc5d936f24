//! Typed addresses: `module.vpc.aws_subnet.this["us-east-1a"]`. State keys, plan entries,
//! messages and `moved`/CLI arguments all use the same textual form, built and parsed here.

use crate::config::ResourceMode;
use std::fmt;

/// The key of one instance of a resource with `count` (Int) or `for_each` (Str).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstanceKey {
    None,
    Int(i64),
    Str(String),
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::None => Ok(()),
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", serde_json::Value::String(s.clone())),
        }
    }
}

/// A resource (not instance) address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceAddr {
    pub module: Vec<String>,
    pub mode: ResourceMode,
    pub type_name: String,
    pub name: String,
}

impl ResourceAddr {
    pub fn instance(&self, key: InstanceKey) -> InstanceAddr {
        InstanceAddr {
            resource: self.clone(),
            key,
        }
    }
}

/// `module.a.module.b.` prefix for a module path.
pub fn module_prefix(path: &[String]) -> String {
    let mut s = String::new();
    for m in path {
        s.push_str("module.");
        s.push_str(m);
        s.push('.');
    }
    s
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&module_prefix(&self.module))?;
        if self.mode == ResourceMode::Data {
            f.write_str("data.")?;
        }
        write!(f, "{}.{}", self.type_name, self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceAddr {
    pub resource: ResourceAddr,
    pub key: InstanceKey,
}

impl fmt::Display for InstanceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.resource, self.key)
    }
}

impl InstanceAddr {
    /// Parses `module.a.aws_x.y["k"]`, `data.t.n[0]`, `t.n`.
    pub fn parse(s: &str) -> Result<InstanceAddr, String> {
        let bad = |why: &str| format!("invalid resource address {s:?}: {why}");
        let (body, key) = match s.find('[') {
            Some(i) => {
                let inner = s[i..]
                    .strip_prefix('[')
                    .and_then(|r| r.strip_suffix(']'))
                    .ok_or_else(|| bad("unbalanced brackets"))?;
                let key = if let Ok(n) = inner.parse::<i64>() {
                    InstanceKey::Int(n)
                } else {
                    match serde_json::from_str::<String>(inner) {
                        Ok(k) => InstanceKey::Str(k),
                        Err(_) => {
                            return Err(bad("instance key must be a number or a quoted string"))
                        }
                    }
                };
                (&s[..i], key)
            }
            None => (s, InstanceKey::None),
        };
        let parts: Vec<&str> = body.split('.').collect();
        let mut module = Vec::new();
        let mut i = 0;
        while i + 1 < parts.len() && parts[i] == "module" {
            module.push(parts[i + 1].to_string());
            i += 2;
        }
        let rest = &parts[i..];
        let (mode, t, n) = match rest {
            ["data", t, n] => (ResourceMode::Data, *t, *n),
            [t, n] => (ResourceMode::Managed, *t, *n),
            _ => return Err(bad("expected [module.NAME.]...TYPE.NAME")),
        };
        if t.is_empty() || n.is_empty() || module.iter().any(String::is_empty) {
            return Err(bad("empty name"));
        }
        Ok(InstanceAddr {
            resource: ResourceAddr {
                module,
                mode,
                type_name: t.to_string(),
                name: n.to_string(),
            },
            key,
        })
    }
}

/// The config-level address of a state key (`a.b["k"]` → `a.b`, deposed suffix dropped).
pub fn resource_of(address: &str) -> &str {
    let a = address
        .split_once(" (deposed")
        .map(|(a, _)| a)
        .unwrap_or(address);
    match a.find('[') {
        Some(i) => &a[..i],
        None => a,
    }
}

/// Whether an import block's `to` names resource `key` (`type.name`) of module `path`.
pub fn names_resource(to: &str, path: &[String], key: &str) -> bool {
    InstanceAddr::parse(to.trim()).is_ok_and(|a| {
        a.resource.mode == ResourceMode::Managed
            && a.resource.module == path
            && format!("{}.{}", a.resource.type_name, a.resource.name) == key
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        for s in [
            "module.vpc.aws_subnet.this[\"us-east-1a\"]",
            "data.aws_region.current",
            "t.n[3]",
            "module.a.module.b.x.y",
        ] {
            assert_eq!(InstanceAddr::parse(s).unwrap().to_string(), s);
        }
        assert!(InstanceAddr::parse("module.a").is_err());
        assert!(InstanceAddr::parse("a.b[x]").is_err());
    }
}
