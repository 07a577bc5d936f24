//! Root module input values, from (lowest to highest precedence, as Terraform does):
//! `TF_VAR_name` environment variables, `terraform.tfvars`, `*.auto.tfvars` (and `.json`),
//! `--var-file` files, `--var name=value` flags.

use super::Module;
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span};
use crate::lang::{eval, EvalContext, Resolver, Type, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Variable files may only hold constants.
struct NoRefs;
impl Resolver for NoRefs {
    fn resolve(
        &self,
        root: &str,
        _attrs: &[&str],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        Err(Diagnostic::error("Variables not allowed")
            .detail(format!("Variables may not be used here (found a reference to \"{root}\"); values for input variables must be constants."))
            .subject(span))
    }
}

/// A `-var`/`TF_VAR_` string: taken literally for primitive (or untyped) variables, parsed as
/// an HCL expression for collection types (`-var 'azs=["a","b"]'`), as Terraform does.
fn parse_raw(
    sources: &mut SourceMap,
    origin: &str,
    text: &str,
    ty: Option<&Type>,
) -> (Value, Diagnostics) {
    // Primitive types take the text as it is (converted later, with a clear type error);
    // only collection and structural types are parsed as expressions.
    if matches!(ty, None | Some(Type::String | Type::Number | Type::Bool)) {
        return (Value::String(text.to_string()), Diagnostics::new());
    }
    let file = sources.add(origin, text.to_string());
    match hcl_edit::parser::parse_expr(text) {
        Ok(e) => eval(
            &e,
            &EvalContext {
                file,
                resolver: &NoRefs,
                base_dir: Path::new("."),
            },
        ),
        Err(err) => (
            Value::unknown(),
            Diagnostic::error("Invalid value for variable")
                .detail(format!(
                    "The value given by {origin} is not a valid expression: {}",
                    err.message()
                ))
                .into(),
        ),
    }
}

fn read_file(
    sources: &mut SourceMap,
    path: &Path,
    out: &mut BTreeMap<String, Value>,
    root: &Module,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(
                Diagnostic::error("Failed to read variables file")
                    .detail(format!("{}: {e}", path.display())),
            );
            return diags;
        }
    };
    let is_json = path.extension().is_some_and(|e| e == "json");
    let file = sources.add(path, text.clone());
    if is_json {
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(m)) => {
                for (k, v) in m {
                    out.insert(k, Value::from_json(&v));
                }
            }
            Ok(_) => diags.push(Diagnostic::error("Invalid variables file").detail(format!(
                "{}: the root must be a JSON object.",
                path.display()
            ))),
            Err(e) => diags.push(Diagnostic::error("Invalid variables file").detail(format!(
                "{}:{}:{}: {e}",
                path.display(),
                e.line(),
                e.column()
            ))),
        }
        return diags;
    }
    let body = match hcl_edit::parser::parse_body(&text) {
        Ok(b) => b,
        Err(e) => {
            let loc = e.location();
            let offset = sources.file(file).line_start(
                loc.line()
                    .saturating_sub(1)
                    .min(sources.file(file).line_index(text.len())),
            ) + loc.column().saturating_sub(1);
            diags.push(
                Diagnostic::error("Syntax error")
                    .detail(e.message().to_string())
                    .subject(Span::new(file, offset..offset + 1)),
            );
            return diags;
        }
    };
    for s in body.iter() {
        match s {
            hcl_edit::structure::Structure::Attribute(a) => {
                let name = a.key.as_str().to_string();
                if !root.variables.contains_key(&name) {
                    use hcl_edit::Span as _;
                    diags.push(
                        Diagnostic::warning("Value for undeclared variable")
                            .detail(format!("The root module does not declare a variable named \"{name}\" but a value was found in file \"{}\". It is ignored.", path.display()))
                            .subject(Span::new(file, a.key.span().unwrap_or(0..0))),
                    );
                    continue;
                }
                let (v, d) = eval(
                    &a.value,
                    &EvalContext {
                        file,
                        resolver: &NoRefs,
                        base_dir: Path::new("."),
                    },
                );
                diags.extend(d);
                out.insert(name, v);
            }
            hcl_edit::structure::Structure::Block(b) => {
                use hcl_edit::Span as _;
                diags.push(
                    Diagnostic::error("Unexpected block")
                        .detail("Variables files contain only `name = value` definitions.")
                        .subject(Span::new(file, b.ident.span().unwrap_or(0..0))),
                );
            }
        }
    }
    diags
}

/// Collects root input values. `sources` receives the files read, for diagnostics.
pub fn root_variables(
    root: &Module,
    root_dir: &Path,
    var_files: &[PathBuf],
    cli_vars: &[(String, String)],
    env: impl IntoIterator<Item = (String, String)>,
    sources: &mut SourceMap,
) -> (BTreeMap<String, Value>, Diagnostics) {
    let mut out = BTreeMap::new();
    let mut diags = Diagnostics::new();
    for (k, v) in env {
        if let Some(name) = k.strip_prefix("TF_VAR_") {
            if let Some(var) = root.variables.get(name) {
                let (val, d) = parse_raw(
                    sources,
                    &format!("environment variable {k}"),
                    &v,
                    var.ty.as_ref(),
                );
                diags.extend(d);
                out.insert(name.to_string(), val);
            }
        }
    }
    let mut auto: Vec<PathBuf> = Vec::new();
    for f in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = root_dir.join(f);
        if p.is_file() {
            auto.push(p);
        }
    }
    if let Ok(rd) = std::fs::read_dir(root_dir) {
        let mut extra: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                })
            })
            .collect();
        extra.sort();
        auto.extend(extra);
    }
    for p in auto.iter().chain(var_files) {
        diags.extend(read_file(sources, p, &mut out, root));
    }
    for (name, text) in cli_vars {
        let Some(var) = root.variables.get(name) else {
            let mut d = Diagnostic::error("Value for undeclared variable")
                .detail(format!("A variable named \"{name}\" was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration."));
            if let Some(h) =
                crate::lang::did_you_mean(name, root.variables.keys().map(String::as_str))
            {
                d = d.help(format!("did you mean \"{h}\"?"));
            }
            diags.push(d);
            continue;
        };
        let (val, d) = parse_raw(sources, &format!("-var {name}"), text, var.ty.as_ref());
        diags.extend(d);
        out.insert(name.clone(), val);
    }
    (out, diags)
}
