//! The units of a tree and the edges between them (`dependency` blocks and
//! `dependencies { paths }`), in an order where every unit comes after those it depends on.
//! A cycle is an error naming every unit on it, at the dependency blocks that close it.

use super::{absolute, unit_file, Loader, UnitConfig, UNIT_FILE};
use crate::diag::{Diagnostic, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Units and edges; `order` lists indices dependencies first.
#[derive(Debug, Clone)]
pub struct Stack {
    pub units: Vec<Arc<UnitConfig>>,
    /// For each unit, the units it depends on, with the span of what declared the edge.
    pub deps: Vec<Vec<(usize, Span)>>,
    pub order: Vec<usize>,
}

/// Every `terragrunt.hcl` under `dir` (hidden folders and working copies skipped), sorted.
pub fn units_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            if !name.starts_with('.') {
                walk(&p, out);
            }
        } else if name == UNIT_FILE {
            out.push(absolute(&p));
        }
    }
}

/// The units `roots` and every unit they depend on, transitively; `None` after errors
/// (a unit that does not load, a cycle), which are in the loader's diagnostics.
pub fn discover(l: &Loader, roots: &[PathBuf]) -> Option<Stack> {
    let mut index: HashMap<PathBuf, usize> = HashMap::new();
    let mut units: Vec<Arc<UnitConfig>> = Vec::new();
    let mut deps: Vec<Vec<(usize, Span)>> = Vec::new();
    let mut queue: Vec<PathBuf> = roots.iter().map(|r| unit_file(&absolute(r))).collect();
    let mut failed = false;
    let mut edges: Vec<(PathBuf, Vec<(PathBuf, Span)>)> = Vec::new();
    while let Some(path) = queue.pop() {
        if index.contains_key(&path) {
            continue;
        }
        let Some(u) = l.unit(&path) else {
            failed = true;
            continue;
        };
        index.insert(path.clone(), units.len());
        let targets = targets(&u);
        queue.extend(targets.iter().map(|(p, _)| p.clone()));
        edges.push((path, targets));
        units.push(u);
        deps.push(Vec::new());
    }
    for (from, targets) in edges {
        let i = index[&from];
        deps[i] = targets
            .into_iter()
            .filter_map(|(p, s)| index.get(&p).map(|&j| (j, s)))
            .collect();
    }
    if failed {
        return None;
    }
    let order = topo(l, &units, &deps)?;
    Some(Stack { units, deps, order })
}

/// What a unit depends on: its dependency blocks (that point at a unit) and its
/// `dependencies` paths.
fn targets(u: &UnitConfig) -> Vec<(PathBuf, Span)> {
    let mut out: Vec<(PathBuf, Span)> = u
        .dependency
        .iter()
        .filter_map(|d| Some((d.unit.clone()?, d.span)))
        .collect();
    let dir = u.path.parent().unwrap_or(Path::new("/"));
    let at = u
        .includes
        .first()
        .map(|i| i.span)
        .or_else(|| u.dependency.first().map(|d| d.span));
    for p in u.dependencies.iter().flatten() {
        let f = unit_file(&absolute(&dir.join(p)));
        if f.is_file() {
            out.push((f, at.unwrap_or(Span::new(crate::diag::FileId(0), 0..0))));
        }
    }
    out
}

/// Depth-first order, dependencies first; a back edge is a cycle, reported with every
/// unit on it.
fn topo(l: &Loader, units: &[Arc<UnitConfig>], deps: &[Vec<(usize, Span)>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; units.len()];
    let mut order = Vec::new();
    // An explicit stack of (unit, next edge) keeps deep trees off the call stack.
    for start in 0..units.len() {
        if mark[start] != Mark::New {
            continue;
        }
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = Mark::Open;
        while let Some(&(u, next)) = path.last() {
            if let Some(&(v, span)) = deps[u].get(next) {
                let top = path.len() - 1;
                path[top].1 += 1;
                match mark[v] {
                    Mark::New => {
                        mark[v] = Mark::Open;
                        path.push((v, 0));
                    }
                    Mark::Open => {
                        cycle(l, units, deps, &path, v, span);
                        return None;
                    }
                    Mark::Done => {}
                }
            } else {
                mark[u] = Mark::Done;
                order.push(u);
                path.pop();
            }
        }
    }
    Some(order)
}

fn cycle(
    l: &Loader,
    units: &[Arc<UnitConfig>],
    deps: &[Vec<(usize, Span)>],
    path: &[(usize, usize)],
    back_to: usize,
    span: Span,
) {
    let from = path.iter().position(|(u, _)| *u == back_to).unwrap_or(0);
    let on: Vec<usize> = path[from..].iter().map(|(u, _)| *u).collect();
    let name = |i: usize| {
        units[i]
            .path
            .parent()
            .unwrap_or(Path::new("/"))
            .display()
            .to_string()
    };
    let mut names: Vec<String> = on.iter().map(|&i| name(i)).collect();
    names.push(name(back_to));
    let mut d = Diagnostic::error("Dependency cycle between units")
        .detail(format!(
            "These units depend on each other in a cycle: {}.",
            names.join(" -> ")
        ))
        .subject(span);
    for w in path[from..].windows(2) {
        let (a, _) = w[0];
        let (b, _) = w[1];
        if let Some((_, s)) = deps[a].iter().find(|(t, _)| *t == b) {
            d = d.related(*s, format!("{} depends on {} here", name(a), name(b)));
        }
    }
    l.push(d);
}

/// `--queue-include-dir`/`--queue-exclude-dir`: globs over unit directories, matched
/// against the directory relative to the base folder (`live/staging/eks`).
#[derive(Debug, Default)]
pub struct QueueFilter {
    include: Option<globset::GlobSet>,
    exclude: Option<globset::GlobSet>,
}

impl QueueFilter {
    /// A glob that does not parse is an error naming it.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, Diagnostic> {
        let set = |globs: &[String]| -> Result<Option<globset::GlobSet>, Diagnostic> {
            if globs.is_empty() {
                return Ok(None);
            }
            let mut b = globset::GlobSetBuilder::new();
            for g in globs {
                let glob = globset::Glob::new(g.trim_end_matches('/')).map_err(|e| {
                    Diagnostic::error("Invalid queue glob").detail(format!("\"{g}\": {e}."))
                })?;
                b.add(glob);
            }
            b.build()
                .map(Some)
                .map_err(|e| Diagnostic::error("Invalid queue glob").detail(e.to_string()))
        };
        Ok(QueueFilter {
            include: set(include)?,
            exclude: set(exclude)?,
        })
    }

    /// Whether the unit in `dir` (relative, slash-separated) is asked for; `true` without
    /// include globs.
    pub fn included(&self, dir: &str) -> bool {
        self.include.as_ref().is_none_or(|s| s.is_match(dir))
    }

    pub fn excluded(&self, dir: &str) -> bool {
        self.exclude.as_ref().is_some_and(|s| s.is_match(dir))
    }
}
