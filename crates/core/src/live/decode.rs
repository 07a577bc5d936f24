//! Reading one unit file in Terragrunt's order: `include` blocks (functions only), the
//! included files, `locals`, `dependency` blocks, then the rest; then the merge of the
//! included configurations under the file's own.

use super::blocks::{self, boolean, check_body, missing, object, string, strings};
use super::model::*;
use super::scope::Scope;
use super::{absolute, merge, unit_file, Cx, Loader};
use crate::config::{Block, Body};
use crate::diag::{Diagnostic, Span};
use crate::lang::funcs::FuncError;
use crate::lang::{Value, VecMap};
use std::path::Path;

const TOP_ATTRS: &[&str] = &["inputs", "prevent_destroy", "skip"];
const TOP_BLOCKS: &[&str] = &[
    "include",
    "locals",
    "terraform",
    "remote_state",
    "generate",
    "dependency",
    "dependencies",
];
const NOT_YET: &str = "hubctl does not implement it yet";
/// Terragrunt settings hubctl knows of and does not implement.
const REFUSED: &[(&str, &str)] = &[
    ("download_dir", NOT_YET),
    ("iam_role", NOT_YET),
    ("iam_assume_role_duration", NOT_YET),
    ("iam_assume_role_session_name", NOT_YET),
    ("iam_web_identity_token", NOT_YET),
    ("terraform_binary", NOT_YET),
    ("terraform_version_constraint", NOT_YET),
    ("terragrunt_version_constraint", NOT_YET),
    ("retryable_errors", NOT_YET),
    ("retry_max_attempts", NOT_YET),
    ("retry_sleep_interval_sec", NOT_YET),
    ("feature", NOT_YET),
    ("exclude", NOT_YET),
    ("errors", NOT_YET),
    ("engine", NOT_YET),
    ("catalog", NOT_YET),
    ("stack", NOT_YET),
    ("unit", NOT_YET),
];

/// Parses the configuration file `path` as seen from `cx` (Terragrunt's ParseConfigFile).
pub(super) fn parse_config(
    l: &Loader,
    path: &Path,
    cx: &Cx,
    subject: Option<Span>,
) -> Option<UnitConfig> {
    let (_, body) = l.body(path, subject)?;
    let fns = Scope {
        loader: l,
        cx,
        locals: None,
        include: None,
        dependency: None,
        place: "an include block",
    };
    check_body(
        &fns,
        &body,
        "at the top level of a unit file",
        TOP_ATTRS,
        TOP_BLOCKS,
        REFUSED,
    );
    let includes = includes(&fns, &body);
    if let (Some(from), Some(first)) = (&cx.from_child, includes.first()) {
        l.push(
            Diagnostic::error("Nested include")
                .detail(format!(
                    "{} is included by another file, and includes {} itself; Terragrunt supports one level of include only.",
                    path.display(),
                    first.path.display()
                ))
                .subject(first.span)
                .related(from.span, "included from here"),
        );
        return None;
    }
    let cx = Cx {
        includes: includes.clone(),
        ..cx.clone()
    };
    let parents: Vec<(Include, Option<UnitConfig>)> = includes
        .iter()
        .map(|inc| {
            let child = Cx {
                includes: Vec::new(),
                from_child: Some(inc.clone()),
                ..cx.clone()
            };
            (
                inc.clone(),
                parse_config(l, &inc.path, &child, Some(inc.span)),
            )
        })
        .collect();
    Some(evaluate(l, &cx, &body, parents))
}

/// The file's own blocks once its includes are read: locals, then dependency blocks
/// (merged with the included ones before their outputs are read), then the rest; then the
/// included configurations merged under it, the last include first.
fn evaluate(
    l: &Loader,
    cx: &Cx,
    body: &Body,
    parents: Vec<(Include, Option<UnitConfig>)>,
) -> UnitConfig {
    let exposed = exposed(&parents);
    let mut s = Scope {
        loader: l,
        cx,
        locals: None,
        include: Some(&exposed),
        dependency: None,
        place: "locals",
    };
    let locals = locals(&s, body);
    let locals_value = Value::Object(locals.clone());
    s.locals = Some(&locals_value);
    s.place = "a dependency block";
    let mut deps: Vec<Dependency> = body
        .blocks
        .iter()
        .filter(|b| b.kind == "dependency")
        .filter_map(|b| dependency(&s, b))
        .collect();
    for (inc, parent) in parents.iter().rev() {
        if let Some(p) = parent {
            deps = merge::dependency_blocks(inc.strategy, &p.dependency, deps);
        }
    }
    let dep_value = dependency_value(&deps);
    s.dependency = Some(&dep_value);
    s.place = "this file";
    let mut base = rest(&s, body);
    base.path = cx.config_path.clone();
    base.locals = locals;
    base.includes = cx.includes.clone();
    base.dependency = deps;
    for (inc, parent) in parents.into_iter().rev() {
        if let Some(p) = parent {
            base = merge::include(inc.strategy, p, base);
        }
    }
    base
}

/// The `include` blocks: `path` (required), `expose`, `merge_strategy`.
fn includes(s: &Scope, body: &Body) -> Vec<Include> {
    let mut out: Vec<Include> = Vec::new();
    for b in body.blocks.iter().filter(|b| b.kind == "include") {
        let name = b.labels.first().cloned().unwrap_or_default();
        if let Some(prev) = out.iter().find(|i| i.name == name) {
            s.loader.push(
                Diagnostic::error("Duplicate include block")
                    .detail(format!(
                        "An include block named \"{name}\" was already declared."
                    ))
                    .subject(b.span)
                    .related(prev.span, "first declared here"),
            );
            continue;
        }
        check_body(
            s,
            &b.body,
            "in an include block",
            &["path", "expose", "merge_strategy"],
            &[],
            &[],
        );
        let Some(a) = b.body.attributes.get("path") else {
            missing(s, b.span, "path");
            continue;
        };
        let Some(p) = string(s, &b.body, "path") else {
            continue;
        };
        let base = s.cx.config_path.parent().unwrap_or(Path::new("/"));
        let path = absolute(&base.join(&p));
        if !path.is_file() {
            s.loader.push(
                Diagnostic::error("Included file not found")
                    .detail(format!(
                        "The include \"{name}\" names {}, which does not exist.",
                        path.display()
                    ))
                    .subject(a.expr.span()),
            );
            continue;
        }
        let Some(strategy) = merge_strategy(s, &b.body) else {
            continue;
        };
        out.push(Include {
            name,
            path,
            expose: boolean(s, &b.body, "expose").unwrap_or(false),
            strategy,
            span: b.span,
        });
    }
    out
}

fn merge_strategy(s: &Scope, body: &Body) -> Option<MergeStrategy> {
    let Some(v) = string(s, body, "merge_strategy") else {
        return (!body.attributes.contains_key("merge_strategy")).then_some(MergeStrategy::Shallow);
    };
    match v.as_str() {
        "no_merge" => Some(MergeStrategy::NoMerge),
        "shallow" => Some(MergeStrategy::Shallow),
        "deep" => Some(MergeStrategy::Deep),
        other => {
            let at = body.attributes.get("merge_strategy").map(|a| a.expr.span());
            s.loader.push(
                Diagnostic::error("Invalid merge_strategy")
                    .detail(format!("merge_strategy must be \"no_merge\", \"shallow\" or \"deep\"; got \"{other}\"."))
                    .subject_opt(at),
            );
            None
        }
    }
}

/// `include.<name>` for the exposed includes (`include.<attr>` directly for a bare one).
fn exposed(parents: &[(Include, Option<UnitConfig>)]) -> Value {
    let mut m = VecMap::new();
    for (inc, cfg) in parents.iter().filter(|(i, _)| i.expose) {
        let v = cfg.as_ref().map_or(Value::unknown(), super::to_value);
        if inc.name.is_empty() {
            return v;
        }
        m.insert(inc.name.clone(), v);
    }
    Value::Object(m)
}

/// Every `locals` block of the file, evaluated in reference order (a local may use another
/// declared later); a cycle is reported once, on each local in it.
fn locals(s: &Scope, body: &Body) -> VecMap<String, Value> {
    let mut exprs: Vec<&crate::config::Attribute> = Vec::new();
    for b in body.blocks.iter().filter(|b| b.kind == "locals") {
        check_body(
            s,
            &Body {
                attributes: Default::default(),
                blocks: b.body.blocks.clone(),
            },
            "in a locals block",
            &[],
            &[],
            &[],
        );
        exprs.extend(b.body.attributes.values());
    }
    let mut done: VecMap<String, Value> = VecMap::new();
    let mut pending = exprs;
    while !pending.is_empty() {
        let before = pending.len();
        let mut next = Vec::new();
        for a in pending {
            let waits = crate::lang::references(&a.expr.expr).iter().any(|r| {
                r.root == "local"
                    && r.attrs
                        .first()
                        .is_some_and(|n| !done.contains_key(n.as_str()) && n != &a.name)
            });
            if waits {
                next.push(a);
                continue;
            }
            let value = Value::Object(done.clone());
            let scope = Scope {
                locals: Some(&value),
                ..*s
            };
            let v = scope.eval(&a.expr);
            done.insert(a.name.clone(), v);
        }
        if next.len() == before {
            for a in &next {
                s.loader.push(
                    Diagnostic::error("Cycle in locals")
                        .detail(format!(
                            "local.{} depends on itself through other locals.",
                            a.name
                        ))
                        .subject(a.span),
                );
            }
            break;
        }
        pending = next;
    }
    done
}

/// A `dependency` block with the outputs this run gives it.
fn dependency(s: &Scope, b: &Block) -> Option<Dependency> {
    let name = blocks::label(s, b)?;
    let attrs = [
        "config_path",
        "enabled",
        "skip_outputs",
        "mock_outputs",
        "mock_outputs_allowed_terraform_commands",
        "mock_outputs_merge_strategy_with_state",
        "mock_outputs_merge_with_state",
    ];
    check_body(s, &b.body, "in a dependency block", &attrs, &[], &[]);
    let Some(a) = b.body.attributes.get("config_path") else {
        missing(s, b.span, "config_path");
        return None;
    };
    let config_path = string(s, &b.body, "config_path")?;
    let base = s.cx.config_path.parent().unwrap_or(Path::new("/"));
    let file = unit_file(&absolute(&base.join(&config_path)));
    let unit = file.is_file().then_some(file);
    if unit.is_none() {
        s.loader.push(
            Diagnostic::error("Dependency not found")
                .detail(format!(
                    "The dependency \"{name}\" points at {config_path}, where there is no {}.",
                    super::UNIT_FILE
                ))
                .subject(a.expr.span()),
        );
    }
    let mut d = Dependency {
        name,
        config_path,
        unit,
        enabled: boolean(s, &b.body, "enabled"),
        skip_outputs: boolean(s, &b.body, "skip_outputs"),
        mock_outputs: object(s, &b.body, "mock_outputs").map(Value::Object),
        mock_outputs_span: b.body.attributes.get("mock_outputs").map(|a| a.span),
        mock_outputs_allowed_terraform_commands: strings(
            s,
            &b.body,
            "mock_outputs_allowed_terraform_commands",
        ),
        mock_outputs_merge_strategy_with_state: string(
            s,
            &b.body,
            "mock_outputs_merge_strategy_with_state",
        ),
        outputs: Value::unknown(),
        mocked: false,
        span: b.span,
        config_path_span: a.expr.span(),
    };
    merge_with_state(s, b);
    resolve_outputs(s.loader, &mut d);
    Some(d)
}

/// `mock_outputs_merge_strategy_with_state` (and the older `mock_outputs_merge_with_state`):
/// Terragrunt merges mocks into outputs read from state. hubctl's outputs come from the
/// dependency's plan or state, so every output exists, and a mock fills exactly those not
/// known yet; the setting changes nothing, which a warning says rather than ignoring it.
fn merge_with_state(s: &Scope, b: &Block) {
    const STRATEGIES: &[&str] = &["no_merge", "shallow", "deep_map_only"];
    let names = [
        "mock_outputs_merge_strategy_with_state",
        "mock_outputs_merge_with_state",
    ];
    for name in names {
        let Some(a) = b.body.attributes.get(name) else {
            continue;
        };
        if name == names[0] {
            let v = string(s, &b.body, name);
            if let Some(v) = v.filter(|v| !STRATEGIES.contains(&v.as_str())) {
                s.loader.push(
                    Diagnostic::error("Invalid mock_outputs_merge_strategy_with_state")
                        .detail(format!(
                            "It must be one of {}; got \"{v}\".",
                            STRATEGIES.join(", ")
                        ))
                        .subject(a.expr.span()),
                );
                continue;
            }
        }
        s.loader.push(
            Diagnostic::warning(format!("{name} has no effect"))
                .detail("hubctl reads a dependency's outputs from its plan or its state, so every output it declares is there; a mock stands in only for the outputs not known yet, whatever the merge strategy.")
                .subject(a.name_span),
        );
    }
}

/// State (or planned) outputs when the run has them; the mock, where this command may use
/// it, for a dependency without outputs or for each of its outputs not known yet; else
/// unknown ("known after apply"), as if both units were one configuration.
pub(super) fn resolve_outputs(l: &Loader, d: &mut Dependency) {
    let opts = l.options();
    let known = d.unit.as_deref().and_then(|u| opts.outputs.outputs(u));
    let allowed = opts.mocks
        && (opts.command == "render"
            || d.mock_outputs_allowed_terraform_commands
                .as_ref()
                .is_none_or(|c| c.iter().any(|x| x == opts.command)));
    let mock = d.mock_outputs.as_ref().filter(|_| allowed);
    (d.outputs, d.mocked) = match (known, mock) {
        (Some(out), Some(m)) => fill_unknown(out, m),
        (Some(out), None) => (out, false),
        (None, Some(m)) => (m.clone(), true),
        (None, None) => (Value::unknown(), false),
    };
}

/// `out` with each output that is not wholly known taken from the mock, when the mock has
/// it: a dependency planned but not applied has some outputs known already, and only the
/// others need a stand-in. An output the dependency does not have is not invented.
fn fill_unknown(out: Value, mock: &Value) -> (Value, bool) {
    if out.is_unknown() {
        return (mock.clone(), true);
    }
    let (Some(o), Some(m)) = (out.as_map(), mock.as_map()) else {
        return (out, false);
    };
    let mut filled = o.clone();
    let mut used = false;
    for (k, v) in m.iter() {
        if filled.get(k).is_some_and(|x| !x.is_wholly_known()) {
            filled.insert(k.clone(), v.clone());
            used = true;
        }
    }
    (Value::Object(filled), used)
}

/// `dependency.<name>.outputs` (and `.inputs`-less, as hubctl does not read them).
fn dependency_value(deps: &[Dependency]) -> Value {
    let m = deps
        .iter()
        .map(|d| {
            (
                d.name.clone(),
                Value::object([("outputs", d.outputs.clone())]),
            )
        })
        .collect::<Vec<_>>();
    Value::object(m)
}

/// Everything evaluated in the full scope.
fn rest(s: &Scope, body: &Body) -> UnitConfig {
    let mut c = UnitConfig::default();
    let one = |kind: &str| -> Option<&Block> {
        let mut it = body.blocks.iter().filter(|b| b.kind == kind);
        let first = it.next()?;
        for again in it {
            s.loader.push(
                Diagnostic::error(format!("Duplicate {kind} block"))
                    .detail(format!("Only one {kind} block is allowed in a file."))
                    .subject(again.span)
                    .related(first.span, "first declared here"),
            );
        }
        Some(first)
    };
    c.terraform = one("terraform").map(|b| blocks::terraform(s, b));
    c.remote_state = one("remote_state").and_then(|b| blocks::remote_state(s, b));
    c.dependencies = one("dependencies").and_then(|b| blocks::dependencies(s, b));
    for b in body.blocks.iter().filter(|b| b.kind == "generate") {
        if let Some((name, g)) = blocks::generate(s, b) {
            if let Some(prev) = c.generate.get(&name) {
                s.loader.push(
                    Diagnostic::error("Duplicate generate block")
                        .detail(format!(
                            "A generate block named \"{name}\" was already declared."
                        ))
                        .subject(b.span)
                        .related(prev.span, "first declared here"),
                );
                continue;
            }
            c.generate.insert(name, g);
        }
    }
    c.inputs = object(s, body, "inputs");
    c.input_sources = blocks::input_sources(body, c.inputs.as_ref());
    c.prevent_destroy = boolean(s, body, "prevent_destroy");
    c.skip = boolean(s, body, "skip");
    c
}

/// `read_terragrunt_config(path, [default])`: the file parsed as a configuration of its own
/// (its `get_terragrunt_dir()` is its folder), as the value `render` shows.
pub(super) fn read_terragrunt_config(s: &Scope, args: &[Value]) -> Result<Value, FuncError> {
    if args.is_empty() || args.len() > 2 {
        return Err(FuncError::Arity {
            expected: "1 or 2".into(),
            got: args.len(),
        });
    }
    let Some(p) = args[0].peel().as_str() else {
        return Err(FuncError::Arg {
            index: 0,
            message: "string required".into(),
        });
    };
    let base = s.cx.config_path.parent().unwrap_or(Path::new("/"));
    let path = absolute(&base.join(p));
    if !path.is_file() {
        if let Some(default) = args.get(1) {
            return Ok(default.clone());
        }
        return Err(FuncError::Other(format!(
            "{} does not exist",
            path.display()
        )));
    }
    if s.cx.depth >= 16 {
        return Err(FuncError::Other(format!(
            "{} reads itself through read_terragrunt_config",
            path.display()
        )));
    }
    let cx = Cx {
        config_path: path.clone(),
        includes: Vec::new(),
        from_child: None,
        depth: s.cx.depth + 1,
        ..s.cx.clone()
    };
    match parse_config(s.loader, &path, &cx, None) {
        Some(c) => Ok(super::to_value(&c)),
        None => Err(FuncError::Other(format!(
            "{} has errors (reported above)",
            path.display()
        ))),
    }
}
