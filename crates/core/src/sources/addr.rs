//! Module source addresses as Terraform reads a `source` argument: a local path, a registry
//! address (`NS/NAME/PROVIDER`, `HOST/NS/NAME/PROVIDER`, Terragrunt's `tfr:///…`), or a remote
//! package for a getter (`git::`, `s3::`, HTTPS archives, and the `github.com/…` and
//! `git@host:…` shorthands). Every form may carry `//subdir`. Parsing is pure: fetching is
//! done elsewhere, behind [`super::Fetcher`].

use std::fmt;

/// The public registry's host, implied by a three-part registry address.
pub const PUBLIC_REGISTRY: &str = "registry.terraform.io";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `./x` or `../x`, resolved against the calling module's directory.
    Local(String),
    Registry(RegistryAddr),
    Remote(RemoteAddr),
}

/// A module in a registry; `subdir` is a directory inside its package.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistryAddr {
    pub host: String,
    pub namespace: String,
    pub name: String,
    pub provider: String,
    pub subdir: Option<String>,
}

/// How a remote package is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Getter {
    Git,
    /// An archive (or an `X-Terraform-Get` redirect) over HTTPS.
    Https,
    S3,
}

/// A package address without its `//subdir`: `url` keeps the query (`?ref=`, `?archive=`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RemoteAddr {
    pub getter: Getter,
    pub url: String,
    pub subdir: Option<String>,
}

impl RegistryAddr {
    /// `HOST/NS/NAME/PROVIDER` without the subdir: what the registry protocol is asked about.
    pub fn package(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.host, self.namespace, self.name, self.provider
        )
    }
}

impl fmt::Display for RegistryAddr {
    /// As Terraform writes it into `modules.json`: always with the host.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.package())?;
        if let Some(s) = &self.subdir {
            write!(f, "//{s}")?;
        }
        Ok(())
    }
}

impl RemoteAddr {
    /// The package address with `getter::` forced, as Terraform records it.
    pub fn package(&self) -> String {
        let prefix = match self.getter {
            Getter::Git => "git::",
            Getter::S3 => "s3::",
            Getter::Https => "",
        };
        format!("{prefix}{}", self.url)
    }

    /// The value of query parameter `key` in the URL, if present.
    pub fn query(&self, key: &str) -> Option<String> {
        let (_, q) = self.url.split_once('?')?;
        q.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k == key).then(|| v.to_string())
        })
    }

    /// The URL with `?…` removed.
    pub fn base_url(&self) -> &str {
        self.url.split_once('?').map_or(&self.url, |(b, _)| b)
    }
}

impl fmt::Display for RemoteAddr {
    /// go-getter's form: the subdir goes before the query (`git::https://h/r.git//sub?ref=v1`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pkg = self.package();
        match &self.subdir {
            None => f.write_str(&pkg),
            Some(s) => match pkg.split_once('?') {
                Some((b, q)) => write!(f, "{b}//{s}?{q}"),
                None => write!(f, "{pkg}//{s}"),
            },
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Local(p) => f.write_str(p),
            Source::Registry(r) => r.fmt(f),
            Source::Remote(r) => r.fmt(f),
        }
    }
}

/// What `tfr://` carried besides the address: its `?version=`.
pub struct Tfr {
    pub addr: RegistryAddr,
    pub version: Option<String>,
}

/// Parses a `source` argument. The error is a sentence for a diagnostic's detail.
pub fn parse(s: &str) -> Result<Source, String> {
    if is_local(s) {
        return Ok(Source::Local(s.to_string()));
    }
    if s.starts_with("tfr://") {
        let t = parse_tfr(s)?;
        if t.version.is_some() {
            return Err(format!(
                "The source \"{s}\" carries a version; in a module block write it as the \
                 \"version\" argument instead."
            ));
        }
        return Ok(Source::Registry(t.addr));
    }
    let (pkg, subdir) = split_subdir(s)?;
    if !pkg.contains("::") && !pkg.contains("://") && !pkg.starts_with("git@") {
        if let Some(r) = registry(&pkg, subdir.clone())? {
            return Ok(Source::Registry(r));
        }
    }
    remote(s, &pkg, subdir).map(Source::Remote)
}

/// Terragrunt's `tfr://HOST/NS/NAME/PROVIDER?version=V` (`tfr:///…` for the public registry).
pub fn parse_tfr(s: &str) -> Result<Tfr, String> {
    let rest = s
        .strip_prefix("tfr://")
        .ok_or_else(|| format!("\"{s}\" does not start with tfr://."))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut version = None;
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        match kv.split_once('=') {
            Some(("version", v)) if !v.is_empty() => version = Some(v.to_string()),
            _ => {
                return Err(format!(
                "The tfr address \"{s}\" has an unknown query \"{kv}\"; only ?version= is allowed."
            ))
            }
        }
    }
    let (host, path) = path.split_once('/').unwrap_or((path, ""));
    let (pkg, subdir) = split_subdir(path)?;
    let full = if host.is_empty() {
        pkg
    } else {
        format!("{host}/{pkg}")
    };
    match registry(&full, subdir)? {
        Some(addr) => Ok(Tfr { addr, version }),
        None => Err(format!(
            "\"{s}\" is not a registry address: write tfr:///NAMESPACE/NAME/PROVIDER?version=V."
        )),
    }
}

fn is_local(s: &str) -> bool {
    s.starts_with("./") || s.starts_with("../") || s == "." || s == ".."
}

/// Splits go-getter's `//subdir` off: the first `//` after any `scheme://`, up to the query.
/// A subdir may not climb out of its package.
pub fn split_subdir(s: &str) -> Result<(String, Option<String>), String> {
    let start = s.find("://").map_or(0, |i| i + 3);
    let Some(i) = s[start..].find("//").map(|i| i + start) else {
        return Ok((s.to_string(), None));
    };
    let (before, after) = (&s[..i], &s[i + 2..]);
    let (sub, query) = after
        .split_once('?')
        .map_or((after, None), |(a, q)| (a, Some(q)));
    let pkg = match query {
        Some(q) => format!("{before}?{q}"),
        None => before.to_string(),
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in sub.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!(
                        "The subdirectory \"{sub}\" of \"{s}\" escapes its package."
                    ));
                }
            }
            p => parts.push(p),
        }
    }
    Ok((pkg, (!parts.is_empty()).then(|| parts.join("/"))))
}

/// A registry address, `None` when `pkg` does not have the shape of one (it may still be a
/// remote shorthand such as `github.com/org/repo`).
fn registry(pkg: &str, subdir: Option<String>) -> Result<Option<RegistryAddr>, String> {
    let parts: Vec<&str> = pkg.split('/').collect();
    let (host, rest) = match parts.len() {
        3 => (PUBLIC_REGISTRY.to_string(), &parts[..]),
        4 if !matches!(parts[0], "github.com" | "bitbucket.org") => {
            let h = parts[0];
            if !valid_host(h) {
                return Ok(None);
            }
            (h.to_ascii_lowercase(), &parts[1..])
        }
        _ => return Ok(None),
    };
    let (ns, name, provider) = (rest[0], rest[1], rest[2]);
    if !valid_label(ns) || !valid_label(name) || host == "github.com" {
        return Ok(None);
    }
    if !(1..=64).contains(&provider.len())
        || !provider
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return Err(format!(
            "Invalid provider name \"{provider}\" in the registry address \"{pkg}\": it must \
             be 1 to 64 lower-case letters and digits."
        ));
    }
    Ok(Some(RegistryAddr {
        host,
        namespace: ns.to_string(),
        name: name.to_string(),
        provider: provider.to_string(),
        subdir,
    }))
}

fn valid_label(s: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric();
    (1..=64).contains(&s.len())
        && s.starts_with(ok)
        && s.ends_with(ok)
        && s.chars().all(|c| ok(c) || c == '-' || c == '_')
}

/// A registry host: a name with a dot (so `localhost:8080` is not one, as in Terraform),
/// with an optional port.
fn valid_host(h: &str) -> bool {
    let (name, port) = h.split_once(':').unwrap_or((h, ""));
    name.contains('.')
        && name
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && (port.is_empty() || port.parse::<u16>().is_ok())
}

/// A remote package: a forced getter, a URL, or a shorthand.
fn remote(orig: &str, pkg: &str, subdir: Option<String>) -> Result<RemoteAddr, String> {
    let mk = |getter, url: String, subdir| {
        Ok(RemoteAddr {
            getter,
            url,
            subdir,
        })
    };
    if let Some((forced, url)) = pkg.split_once("::") {
        return match forced {
            "git" => git_url(orig, url).and_then(|u| mk(Getter::Git, u, subdir)),
            "s3" => mk(Getter::S3, url.to_string(), subdir),
            "https" | "http" => https_url(orig, url).and_then(|u| mk(Getter::Https, u, subdir)),
            other => Err(format!(
                "The source \"{orig}\" uses the \"{other}\" getter, which hubctl does not \
                 support (it supports git::, s3:: and HTTPS archives)."
            )),
        };
    }
    if let Some(rest) = pkg.strip_prefix("git@") {
        let (host, path) = rest
            .split_once(':')
            .ok_or_else(|| format!("The source \"{orig}\" is not of the form git@HOST:PATH."))?;
        return mk(Getter::Git, format!("ssh://git@{host}/{path}"), subdir);
    }
    if let Some(path) = pkg.strip_prefix("github.com/") {
        return github(orig, path, subdir);
    }
    if pkg.contains("://") {
        return https_url(orig, pkg).and_then(|u| mk(Getter::Https, u, subdir));
    }
    Err(format!(
        "The module address \"{orig}\" could not be resolved. Terraform's forms are a local \
         path starting with \"./\" or \"../\", a registry address NAMESPACE/NAME/PROVIDER \
         (optionally with a HOST/ in front), or a remote package such as \
         \"git::https://example.com/repo.git\"."
    ))
}

/// `github.com/ORG/REPO[/sub…][?ref=…]`: a git repository over HTTPS; extra path segments
/// are a subdirectory, as go-getter's GitHub detector reads them.
fn github(orig: &str, path: &str, subdir: Option<String>) -> Result<RemoteAddr, String> {
    let (path, query) = path
        .split_once('?')
        .map_or((path, None), |(p, q)| (p, Some(q)));
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() < 2 || parts[0].is_empty() || parts[1].is_empty() {
        return Err(format!(
            "The GitHub source \"{orig}\" must name a repository: github.com/ORG/REPO."
        ));
    }
    let repo = parts[1].strip_suffix(".git").unwrap_or(parts[1]);
    let mut url = format!("https://github.com/{}/{repo}.git", parts[0]);
    if let Some(q) = query {
        url = format!("{url}?{q}");
    }
    let extra = parts[2..].join("/");
    let subdir = match (extra.is_empty(), subdir) {
        (true, s) => s,
        (false, None) => Some(extra),
        (false, Some(s)) => Some(format!("{extra}/{s}")),
    };
    Ok(RemoteAddr {
        getter: Getter::Git,
        url,
        subdir,
    })
}

/// git's URL: https, ssh or file; queries limited to `ref` and `depth`.
fn git_url(orig: &str, url: &str) -> Result<String, String> {
    let scheme = url.split_once("://").map(|(s, _)| s);
    if !matches!(scheme, Some("https" | "ssh" | "file")) {
        return Err(format!(
            "The git source \"{orig}\" must use https://, ssh:// or file:// (plain http and \
             git:// are not allowed)."
        ));
    }
    if let Some((_, q)) = url.split_once('?') {
        for kv in q.split('&') {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            match k {
                "ref" if !v.is_empty() => {}
                "depth" if v.parse::<u32>().is_ok() => {}
                _ => {
                    return Err(format!(
                        "The git source \"{orig}\" has the query argument \"{kv}\"; hubctl \
                         understands ?ref=NAME and ?depth=N."
                    ))
                }
            }
        }
    }
    Ok(url.to_string())
}

fn https_url(orig: &str, url: &str) -> Result<String, String> {
    if !url.starts_with("https://") {
        return Err(format!(
            "The source \"{orig}\" is not fetched over HTTPS; hubctl never downloads modules \
             over plain HTTP."
        ));
    }
    Ok(url.to_string())
}

#[cfg(test)]
#[path = "addr_tests.rs"]
mod tests;
