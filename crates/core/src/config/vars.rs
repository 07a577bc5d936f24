//! Root module input values, from (lowest to highest precedence, as Terraform does):
//! `TF_VAR_name` environment variables, `terraform.tfvars`, `terraform.tfvars.json`,
//! `*.auto.tfvars` (and `.json`, in name order), then `--var-file` files and `--var name=value`
//! flags in the order given on the command line.

use super::Module;
use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap, Span};
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

/// One command-line input. Terraform applies `-var` and `-var-file` left to right, so a later
/// one wins whatever its kind; the order of this list is that order.
#[derive(Debug, Clone, PartialEq)]
pub enum CliInput {
    Var(String, String),
    File(PathBuf),
}

/// Splits a `-var` option as Terraform does: at the first `=`; a name ending in a space is
/// refused (a mistyped `-var "x = 1"` would otherwise set an undeclared variable).
pub fn parse_cli_var(raw: &str) -> Result<CliInput, Diagnostic> {
    let Some((name, value)) = raw.split_once('=') else {
        return Err(Diagnostic::error("Invalid -var option").detail(format!("The given -var option {raw:?} is not correctly specified. It must be a variable name and value separated by an equals sign, like --var key=value.")));
    };
    if name.ends_with(' ') {
        return Err(Diagnostic::error("Invalid -var option").detail(format!(
            "Variable name {name:?} is invalid due to trailing space. Did you mean -var=\"{}={}\"?",
            name.trim_end(),
            value.trim_start()
        )));
    }
    Ok(CliInput::Var(name.to_string(), value.to_string()))
}

/// Input values are constants: Terraform evaluates them without functions or variables.
fn constant(file: crate::diag::FileId, e: &crate::lang::ir::Expr) -> (Value, Diagnostics) {
    use crate::lang::ir::{Expr, Kind};
    /// The first function call in `e`, outermost first.
    fn first_call(e: &Expr) -> Option<std::ops::Range<usize>> {
        if let Kind::Call(_) = e.kind {
            return Some(e.pos.range().unwrap_or(0..0));
        }
        let mut found = None;
        e.each_child(&mut |c| {
            if found.is_none() {
                found = first_call(c);
            }
        });
        found
    }
    if let Some(range) = first_call(e) {
        let d = Diagnostic::error("Function calls not allowed")
            .detail(
                "Functions may not be called here: values for input variables must be constants.",
            )
            .subject(Span::new(file, range));
        return (Value::unknown(), d.into());
    }
    eval(
        e,
        &EvalContext {
            file,
            resolver: &NoRefs,
            base_dir: Path::new("."),
        },
    )
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
        Ok(e) => constant(file, &crate::lang::ir::lower(&e)),
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

/// Values for undeclared variables found in files: Terraform warns about the first two and
/// then only counts the rest, since one tfvars file is often shared by many configurations.
#[derive(Default)]
struct Undeclared(usize);

impl Undeclared {
    fn warn(&mut self, diags: &mut Diagnostics, name: &str, path: &Path, subject: Option<Span>) {
        self.0 += 1;
        if self.0 > 2 {
            return;
        }
        let mut d = Diagnostic::warning("Value for undeclared variable")
            .detail(format!("The root module does not declare a variable named \"{name}\" but a value was found in file \"{}\". It is ignored.", path.display()));
        if let Some(s) = subject {
            d = d.subject(s);
        }
        diags.push(d);
    }

    fn finish(self, diags: &mut Diagnostics) {
        if self.0 > 2 {
            diags.push(Diagnostic::warning("Values for undeclared variables").detail(format!(
                "In addition to the other similar warnings shown, {} other variable(s) defined without being declared.",
                self.0 - 2
            )));
        }
    }
}

/// Reads `path` (resolved against `base`, named as written in diagnostics).
fn read_file(
    sources: &mut SourceMap,
    base: &Path,
    path: &Path,
    out: &mut BTreeMap<String, Value>,
    root: &Module,
    undeclared: &mut Undeclared,
) -> Diagnostics {
    let text = match std::fs::read_to_string(base.join(path)) {
        Ok(t) => t,
        Err(e) => {
            return Diagnostic::error("Failed to read variables file")
                .detail(format!("{}: {e}", path.display()))
                .into();
        }
    };
    let is_json = path.extension().is_some_and(|e| e == "json");
    let file = sources.add(path, text.clone());
    let sink = VarsSink {
        path,
        out,
        root,
        undeclared,
    };
    if is_json {
        return read_json(&text, sink);
    }
    match hcl_edit::parser::parse_body(&text) {
        Ok(body) => read_hcl(file, &body, sink),
        Err(e) => syntax_error(sources, file, &text, &e).into(),
    }
}

/// Where the definitions of one variables file go.
struct VarsSink<'a> {
    path: &'a Path,
    out: &'a mut BTreeMap<String, Value>,
    root: &'a Module,
    undeclared: &'a mut Undeclared,
}

/// A `.tfvars.json` file: one JSON object of values.
fn read_json(text: &str, sink: VarsSink) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let path = sink.path;
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(m)) => {
            for (k, v) in m {
                if sink.root.variables.contains_key(&k) {
                    sink.out.insert(k, Value::from_json(&v));
                } else {
                    sink.undeclared.warn(&mut diags, &k, path, None);
                }
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
    diags
}

/// A `.tfvars` file: `name = constant` attributes only.
fn read_hcl(file: FileId, body: &hcl_edit::structure::Body, sink: VarsSink) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for s in body.iter() {
        use hcl_edit::Span as _;
        match s {
            hcl_edit::structure::Structure::Attribute(a) => {
                let name = a.key.as_str().to_string();
                if !sink.root.variables.contains_key(&name) {
                    let span = Span::new(file, a.key.span().unwrap_or(0..0));
                    sink.undeclared
                        .warn(&mut diags, &name, sink.path, Some(span));
                    continue;
                }
                let (v, d) = constant(file, &crate::lang::ir::lower(&a.value));
                diags.extend(d);
                sink.out.insert(name, v);
            }
            hcl_edit::structure::Structure::Block(b) => {
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

/// The parser's error at its line and column (clamped to the file).
fn syntax_error(
    sources: &SourceMap,
    file: FileId,
    text: &str,
    e: &hcl_edit::parser::Error,
) -> Diagnostic {
    let loc = e.location();
    let offset = sources.file(file).line_start(
        loc.line()
            .saturating_sub(1)
            .min(sources.file(file).line_index(text.len())),
    ) + loc.column().saturating_sub(1);
    Diagnostic::error("Syntax error")
        .detail(e.message().to_string())
        .subject(Span::new(file, offset..offset + 1))
}

/// Collects root input values. `sources` receives the files read, for diagnostics. Relative
/// paths (`root_dir`, `-var-file`s) resolve against `base`, the `-chdir` directory.
pub fn root_variables(
    root: &Module,
    base: &Path,
    root_dir: &Path,
    cli: &[CliInput],
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
        let p = super::loader::normalize(&root_dir.join(f));
        if base.join(&p).is_file() {
            auto.push(p);
        }
    }
    if let Ok(rd) = std::fs::read_dir(base.join(root_dir)) {
        let mut extra: Vec<PathBuf> = rd
            .flatten()
            .map(|e| super::loader::normalize(&root_dir.join(e.file_name())))
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                })
            })
            .collect();
        extra.sort();
        auto.extend(extra);
    }
    let mut undeclared = Undeclared::default();
    for p in &auto {
        diags.extend(read_file(sources, base, p, &mut out, root, &mut undeclared));
    }
    for input in cli {
        let (name, text) = match input {
            CliInput::File(p) => {
                diags.extend(read_file(sources, base, p, &mut out, root, &mut undeclared));
                continue;
            }
            CliInput::Var(name, text) => (name, text),
        };
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
    undeclared.finish(&mut diags);
    (out, diags)
}
