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
    /// The instance key of each module call in `module` (None when it has no count/for_each).
    pub module_keys: Vec<InstanceKey>,
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
        for (m, k) in self.module.iter().zip(&self.module_keys) {
            write!(f, "module.{m}{k}.")?;
        }
        write!(f, "{}{}.{}", self.mode.prefix(), self.type_name, self.name)
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
    /// Parses `module.a["k"].aws_x.y[0]`, `data.t.n[0]`, `t.n`.
    pub fn parse(s: &str) -> Result<InstanceAddr, String> {
        let bad = |why: &str| format!("invalid resource address {s:?}: {why}");
        let segs = segments(s).map_err(|e| bad(&e))?;
        let mut module = Vec::new();
        let mut module_keys = Vec::new();
        let mut i = 0;
        while i + 1 < segs.len() && segs[i].0 == "module" && segs[i].1 == InstanceKey::None {
            module.push(segs[i + 1].0.to_string());
            module_keys.push(segs[i + 1].1.clone());
            i += 2;
        }
        let rest = &segs[i..];
        let keyless = |x: &[(&str, InstanceKey)]| {
            x[..x.len() - 1]
                .iter()
                .all(|(_, k)| *k == InstanceKey::None)
        };
        let (mode, t, n, key) = match rest {
            [("data", _), (t, _), (n, k)] if keyless(rest) => (ResourceMode::Data, *t, *n, k),
            [("ephemeral", _), (t, _), (n, k)] if keyless(rest) => {
                (ResourceMode::Ephemeral, *t, *n, k)
            }
            [(t, _), (n, k)] if keyless(rest) => (ResourceMode::Managed, *t, *n, k),
            _ => return Err(bad("expected [module.NAME.]...TYPE.NAME")),
        };
        if t.is_empty() || n.is_empty() || module.iter().any(String::is_empty) {
            return Err(bad("empty name"));
        }
        Ok(InstanceAddr {
            resource: ResourceAddr {
                module,
                module_keys,
                mode,
                type_name: t.to_string(),
                name: n.to_string(),
            },
            key: key.clone(),
        })
    }
}

/// The dot-separated names of an address, each with the instance key that follows it
/// (`module.a["k.1"].t.n[0]` → module, a["k.1"], t, n[0]); dots and brackets inside a
/// quoted key are part of the key.
fn segments(s: &str) -> Result<Vec<(&str, InstanceKey)>, String> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let name = &rest[..end];
        rest = &rest[end..];
        let mut key = InstanceKey::None;
        if rest.starts_with('[') {
            let close = key_end(rest).ok_or("unbalanced brackets")?;
            key = parse_key(&rest[1..close])?;
            rest = &rest[close + 1..];
        }
        out.push((name, key));
        match rest.strip_prefix('.') {
            Some(r) => rest = r,
            None if rest.is_empty() => return Ok(out),
            None => return Err("unexpected text after an instance key".into()),
        }
    }
}

/// The index of the `]` closing the key that `s` (starting with `[`) opens.
fn key_end(s: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn parse_key(inner: &str) -> Result<InstanceKey, String> {
    if let Ok(n) = inner.parse::<i64>() {
        return Ok(InstanceKey::Int(n));
    }
    serde_json::from_str::<String>(inner)
        .map(InstanceKey::Str)
        .map_err(|_| "instance key must be a number or a quoted string".into())
}

/// One module instance: the call names from the root, each with its instance key
/// (`module.irsa["kro"].module.b[0]`).
pub type ModuleInstance = Vec<(String, InstanceKey)>;

/// Parses a module instance address (`module.a`, `module.a["k"].module.b[0]`); `None`
/// when it is not one (a resource address, or bad text).
pub fn parse_module_instance(s: &str) -> Option<ModuleInstance> {
    let segs = segments(s).ok()?;
    if segs.is_empty() || segs.len() % 2 != 0 {
        return None;
    }
    segs.chunks(2)
        .map(|c| match c {
            [("module", InstanceKey::None), (name, key)] if !name.is_empty() => {
                Some((name.to_string(), key.clone()))
            }
            _ => None,
        })
        .collect()
}

/// `module.a["k"].module.b`: a module instance as Terraform writes it.
pub fn module_instance_display(path: &[(String, InstanceKey)]) -> String {
    let p = module_instance_prefix(path);
    p.strip_suffix('.').unwrap_or(&p).to_string()
}

/// `module.a["k"].module.b.` prefix for a module instance.
pub fn module_instance_prefix(path: &[(String, InstanceKey)]) -> String {
    let mut s = String::new();
    for (m, k) in path {
        s.push_str("module.");
        s.push_str(m);
        s.push_str(&k.to_string());
        s.push('.');
    }
    s
}

/// The config-level address of a state key: every instance key dropped, the module
/// instances' too (`module.a["x"].b.c["k"]` → `module.a.b.c`), and a deposed suffix.
pub fn resource_of(address: &str) -> std::borrow::Cow<'_, str> {
    let a = address
        .split_once(" (deposed")
        .map(|(a, _)| a)
        .unwrap_or(address);
    let Some(first) = a.find('[') else {
        return a.into();
    };
    let mut out = String::with_capacity(a.len());
    let mut rest = a;
    let mut at = first;
    loop {
        out.push_str(&rest[..at]);
        let Some(close) = key_end(&rest[at..]) else {
            return a.into();
        };
        rest = &rest[at + close + 1..];
        match rest.find('[') {
            Some(i) => at = i,
            None => {
                out.push_str(rest);
                return out.into();
            }
        }
    }
}

/// Terraform's order of instance addresses: shallower modules first, then module instances
/// by name and key, then the resource, then its key (numbers as numbers: `[2]` before
/// `[10]`). Unparsable text sorts last, as text.
pub fn sort_key(address: &str) -> (usize, ModuleInstance, String, InstanceKey, String) {
    let (base, deposed) = match address.find(" (deposed") {
        Some(i) => address.split_at(i),
        None => (address, ""),
    };
    match InstanceAddr::parse(base) {
        Ok(a) => {
            let r = &a.resource;
            let rest = format!("{}{}.{}", r.mode.prefix(), r.type_name, r.name);
            let module = r
                .module
                .iter()
                .cloned()
                .zip(r.module_keys.clone())
                .collect();
            (r.module.len(), module, rest, a.key, deposed.to_string())
        }
        Err(_) => (
            usize::MAX,
            Vec::new(),
            String::new(),
            InstanceKey::None,
            address.into(),
        ),
    }
}

/// The module instance a state key's resource lives in (`module.a["x"].b.c` → a["x"]).
pub fn module_instance_of(address: &str) -> ModuleInstance {
    InstanceAddr::parse(address)
        .map(|a| {
            a.resource
                .module
                .into_iter()
                .zip(a.resource.module_keys)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether an import block's `to` names resource `key` (`type.name`) of module `path`.
pub fn names_resource(to: &str, path: &[String], key: &str) -> bool {
    InstanceAddr::parse(to.trim()).is_ok_and(|a| {
        a.resource.mode == ResourceMode::Managed
            && a.resource.module == path
            && format!("{}.{}", a.resource.type_name, a.resource.name) == key
    })
}

/// A provider instance as state and plans record it: the configuration key (`aws`,
/// `aws.west`), and for one with `for_each` the instance key, `aws.by_region["eu-west-1"]`.
pub fn provider_instance(config: &str, key: Option<&str>) -> String {
    match key {
        Some(k) => format!("{config}{}", InstanceKey::Str(k.to_string())),
        None => config.to_string(),
    }
}

/// The reverse of [`provider_instance`]: the configuration key and the instance key.
pub fn split_provider_instance(s: &str) -> (&str, Option<String>) {
    match s.split_once('[') {
        Some((config, rest)) => {
            let key = rest
                .strip_suffix(']')
                .and_then(|k| serde_json::from_str::<String>(k).ok());
            (config, key)
        }
        None => (s, None),
    }
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
            "module.irsa[\"kro\"].aws_iam_role.this",
            "module.a[\"k.]\\\"x\"].module.b[1].data.t.n[0]",
        ] {
            assert_eq!(InstanceAddr::parse(s).unwrap().to_string(), s);
        }
        assert!(InstanceAddr::parse("module.a").is_err());
        assert!(InstanceAddr::parse("module.a[\"k\"]").is_err());
        assert!(InstanceAddr::parse("t[0].n").is_err());
        assert!(InstanceAddr::parse("a.b[x]").is_err());
    }

    #[test]
    fn provider_instances_roundtrip() {
        for (config, key) in [
            ("aws", None),
            ("aws.west", None),
            ("aws.r", Some("eu-west-1")),
        ] {
            let s = provider_instance(config, key);
            assert_eq!(
                split_provider_instance(&s),
                (config, key.map(str::to_string))
            );
        }
        assert_eq!(
            provider_instance("aws.r", Some("a\"[b]")),
            "aws.r[\"a\\\"[b]\"]"
        );
        assert_eq!(
            split_provider_instance("aws.r[\"a\\\"[b]\"]"),
            ("aws.r", Some("a\"[b]".to_string()))
        );
    }
}

#[cfg(test)]
mod module_instance_tests {
    use super::*;

    #[test]
    fn resource_of_drops_every_key() {
        assert_eq!(resource_of("module.a[\"x\"].t.n[\"k\"]"), "module.a.t.n");
        assert_eq!(
            resource_of("module.a[\"[.]\"].module.b[2].t.n"),
            "module.a.module.b.t.n"
        );
        assert_eq!(resource_of("t.n[0] (deposed abc)"), "t.n");
        assert_eq!(resource_of("t.n"), "t.n");
    }

    #[test]
    fn module_instance_of_keeps_keys() {
        let m = module_instance_of("module.a[\"x\"].module.b.t.n[1]");
        assert_eq!(
            m,
            vec![
                ("a".to_string(), InstanceKey::Str("x".into())),
                ("b".to_string(), InstanceKey::None)
            ]
        );
        assert_eq!(module_instance_prefix(&m), "module.a[\"x\"].module.b.");
    }

    #[test]
    fn sort_key_orders_as_terraform() {
        let mut v = vec![
            "module.c[1].module.i[0].t.leaf",
            "module.c[10].t.this",
            "module.c[2].t.this",
            "z.root",
            "module.b[\"x\"].t.this",
        ];
        v.sort_by_key(|a| sort_key(a));
        assert_eq!(
            v,
            [
                "z.root",
                "module.b[\"x\"].t.this",
                "module.c[2].t.this",
                "module.c[10].t.this",
                "module.c[1].module.i[0].t.leaf"
            ]
        );
    }
}
