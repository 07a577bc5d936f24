//! Spoke requests (`config/spokes/*.yaml`: name, account, region, vpc_cidr), checked before a
//! run: names unique; VPC CIDRs of the form `10.N.0.0/16`, overlapping neither each other nor
//! the hub's. Each message points at the file and line of the value at fault.

use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap, Span};
use crate::lang::funcs::{call, FuncContext};
use crate::lang::Value;
use ipnet::Ipv4Net;
use std::path::Path;

const KEYS: &[&str] = &["name", "account", "region", "vpc_cidr"];

/// One spoke file, read.
struct Spoke {
    file: FileId,
    name: String,
    cidr: Option<Ipv4Net>,
}

/// Checks every `*.yaml` in `dir` against each other and the hub's `hub_cidr`; the files
/// go into `sources` so the diagnostics can show them.
pub fn check_spokes(dir: &Path, hub_cidr: Ipv4Net, sources: &mut SourceMap) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    let mut seen: Vec<Spoke> = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let file = sources.add(&path, text.clone());
        let Some(spoke) = read(file, &text, &mut diags) else {
            continue;
        };
        let at = |key: &str| value_span(file, &text, key);
        if let Some(prev) = seen.iter().find(|s| s.name == spoke.name) {
            diags.push(
                Diagnostic::error("Duplicate spoke name")
                    .detail(format!(
                        "Another spoke request is already named \"{}\".",
                        spoke.name
                    ))
                    .subject(at("name"))
                    .related(
                        value_span(prev.file, &sources.file(prev.file).text.clone(), "name"),
                        "first named here",
                    ),
            );
        }
        if let Some(c) = spoke.cidr {
            let clash =
                |other: &Ipv4Net| other.contains(&c.network()) || c.contains(&other.network());
            if clash(&hub_cidr) {
                diags.push(overlap(
                    at("vpc_cidr"),
                    c,
                    &format!("the hub's VPC {hub_cidr}"),
                ));
            }
            if let Some(o) = seen.iter().find(|s| s.cidr.as_ref().is_some_and(clash)) {
                let other = o.cidr.map(|x| x.to_string()).unwrap_or_default();
                let d = overlap(
                    at("vpc_cidr"),
                    c,
                    &format!("spoke \"{}\" ({other})", o.name),
                );
                let prev = value_span(o.file, &sources.file(o.file).text.clone(), "vpc_cidr");
                diags.push(d.related(prev, "the other spoke's range"));
            }
        }
        seen.push(spoke);
    }
    diags
}

fn overlap(at: Span, c: Ipv4Net, with: &str) -> Diagnostic {
    Diagnostic::error("Overlapping spoke VPC CIDR")
        .detail(format!(
            "The spoke's VPC {c} overlaps {with}; every spoke needs a 10.N.0.0/16 of its own."
        ))
        .subject(at)
}

/// The spoke's settings; each missing or malformed one reported at its place.
fn read(file: FileId, text: &str, diags: &mut Diagnostics) -> Option<Spoke> {
    let here = Path::new(".");
    let v = match call(
        "yamldecode",
        vec![Value::from(text)],
        &FuncContext { base_dir: here },
    ) {
        Ok(v) => v,
        Err(e) => {
            diags.push(
                Diagnostic::error("Invalid spoke request")
                    .detail(format!("The file is not YAML: {e}."))
                    .subject(Span::new(file, 0..0)),
            );
            return None;
        }
    };
    let get = |k: &str| v.get_attr(k).and_then(|x| x.as_str().map(str::to_string));
    for k in KEYS {
        if get(k).is_none() {
            diags.push(
                Diagnostic::error("Missing spoke setting")
                    .detail(format!(
                        "A spoke request needs \"{k}\" (a string); the settings are {}.",
                        KEYS.join(", ")
                    ))
                    .subject(Span::new(file, 0..0)),
            );
        }
    }
    let cidr = get("vpc_cidr").and_then(|c| {
        let net: Option<Ipv4Net> = c.parse().ok();
        let octets = net.map(|n| n.network().octets());
        match (net, octets) {
            (Some(n), Some([10, x, 0, 0])) if n.prefix_len() == 16 && x > 0 && n.to_string() == c => Some(n),
            _ => {
                diags.push(
                    Diagnostic::error("Invalid spoke VPC CIDR")
                        .detail(format!("\"{c}\" is not of the form 10.N.0.0/16 with N from 1 to 255 (10.0.0.0/16 is the hub's)."))
                        .subject(value_span(file, text, "vpc_cidr")),
                );
                None
            }
        }
    });
    Some(Spoke {
        file,
        name: get("name")?,
        cidr,
    })
}

/// Where `key:`'s value is written (a top-level key of a flat file), else the file start.
fn value_span(file: FileId, text: &str, key: &str) -> Span {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
            let value = rest.trim();
            let start = offset + line.len() - rest.len() + (rest.len() - rest.trim_start().len());
            return Span::new(file, start..start + value.len());
        }
        offset += line.len();
    }
    Span::new(file, 0..0)
}

/// The spoke check for the repository holding `tree` (the nearest folder above it with
/// `.git` and `config/spokes/`); the hub's range is `network.vpc_cidr` of
/// `config/config.yaml` (10.0.0.0/16 when unset). Nothing to check outside such a repository.
pub fn check_repo_spokes(tree: &Path, sources: &mut SourceMap) -> Diagnostics {
    let tree = super::absolute(tree);
    let Some(repo) = tree
        .ancestors()
        .find(|d| d.join(".git").exists() && d.join("config/spokes").is_dir())
    else {
        return Diagnostics::new();
    };
    let hub = std::fs::read_to_string(repo.join("config/config.yaml"))
        .ok()
        .and_then(|t| {
            call(
                "yamldecode",
                vec![Value::from(t)],
                &FuncContext { base_dir: repo },
            )
            .ok()
        })
        .and_then(|v| {
            v.get_attr("network")?
                .get_attr("vpc_cidr")?
                .as_str()?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| {
            Ipv4Net::new(std::net::Ipv4Addr::new(10, 0, 0, 0), 16).unwrap_or_default()
        });
    check_spokes(&repo.join("config/spokes"), hub, sources)
}
