//! The module tree the loader produces and everything downstream reads.

use crate::diag::{FileId, SourceMap, Span};
use crate::lang::Type;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// An expression (its [IR](crate::lang::ir), lowered at load) together with the file it
/// came from: the file id is stored once here, the nodes hold byte ranges in it.
#[derive(Debug, Clone)]
pub struct Expr {
    pub file: FileId,
    pub expr: crate::lang::ir::Expr,
}

impl Expr {
    /// The span of the whole expression.
    pub fn span(&self) -> Span {
        Span::new(self.file, self.expr.pos.range().unwrap_or(0..0))
    }

    /// The span of `key` in an object constructor (`{ iam = "..." }`), for a diagnostic
    /// about one entry; `None` if this is not an object with that key.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        use crate::lang::ir::{Kind, ObjectKey};
        let Kind::Object(obj) = &self.expr.kind else {
            return None;
        };
        obj.iter()
            .map(|(k, _)| k)
            .find(|k| match k {
                ObjectKey::Ident(id, _) => id.as_str() == key,
                ObjectKey::Expr(e) => matches!(&e.kind, Kind::String(s) if &**s == key),
            })
            .and_then(|k| k.pos().range())
            .map(|r| Span::new(self.file, r))
    }

    /// The span of the deepest part of `path` (object keys, tuple indexes) this expression
    /// spells out as constructors: `{ spec = { source = {...} } }` at `spec.source.repoURL`
    /// is the `source` object when it has no `repoURL`. The whole expression when nothing
    /// of the path is written (a function call, a reference).
    pub fn span_at(&self, path: &[String]) -> Span {
        use crate::lang::ir::{Kind, ObjectKey};
        let mut cur = &self.expr;
        for seg in path {
            while let Kind::Paren(inner) = &cur.kind {
                cur = inner;
            }
            let next = match &cur.kind {
                Kind::Object(items) => items
                    .iter()
                    .find(|(k, _)| match k {
                        ObjectKey::Ident(id, _) => id.as_str() == seg,
                        ObjectKey::Expr(e) => matches!(&e.kind, Kind::String(s) if **s == **seg),
                    })
                    .map(|(_, v)| v),
                Kind::Tuple(xs) => seg.parse::<usize>().ok().and_then(|i| xs.get(i)),
                _ => None,
            };
            match next {
                Some(n) => cur = n,
                None => break,
            }
        }
        Span::new(self.file, cur.pos.range().unwrap_or(0..0))
    }
}

/// A loaded configuration: the root module (children nested inside) and all source files.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub root: Module,
    pub sources: SourceMap,
    /// A file or module could not be read: later checks (references) would report things
    /// as missing that are only unread, so they are skipped.
    pub incomplete: bool,
}

/// One module: all `*.tf` files of one directory.
#[derive(Debug, Clone, Default)]
pub struct Module {
    pub dir: PathBuf,
    /// Names of the module calls leading here from the root (empty for the root).
    pub path: Vec<String>,
    pub terraform: TerraformBlock,
    pub providers: Vec<ProviderConfig>,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Local>,
    pub outputs: BTreeMap<String, Output>,
    /// Keyed by `type.name` for managed resources, `data.type.name` for data sources and
    /// `ephemeral.type.name` for ephemeral resources.
    pub resources: BTreeMap<String, Resource>,
    pub module_calls: BTreeMap<String, ModuleCall>,
    /// Child modules, keyed by module call name.
    pub children: BTreeMap<String, Module>,
    pub moved: Vec<Moved>,
    pub removed: Vec<Removed>,
    /// `import {}` blocks (root module only, as in Terraform).
    pub imports: Vec<Import>,
    /// `check "name" {}` blocks, by name.
    pub checks: BTreeMap<String, Check>,
}

/// `check "name" { data ... assert { condition, error_message } }` (Terraform 1.5): its
/// assertions are evaluated after a plan and after an apply, and a failing one is only a
/// warning. Its scoped `data` blocks are read like the module's other data sources (they
/// are in `Module::resources`), but their errors are warnings too.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub asserts: Vec<Validation>,
    /// The keys (`data.type.name`) of the scoped data sources in `Module::resources`.
    pub data: Vec<String>,
    /// The `check "name"` header.
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct TerraformBlock {
    pub required_version: Option<(String, Span)>,
    pub backend: Option<Backend>,
    /// `required_providers { aws = { source = ..., version = ... } }`: name → source.
    pub required_providers: BTreeMap<String, String>,
}

/// `terraform { backend "<kind>" { ... } }`. Backend arguments must be literal (as in
/// Terraform), but are kept as expressions so errors can point at them.
#[derive(Debug, Clone)]
pub struct Backend {
    pub kind: String,
    pub config: BTreeMap<String, Attribute>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub name: String,
    pub alias: Option<String>,
    /// OpenTofu 1.9's `for_each`: one provider instance per element (alias required),
    /// selected by `provider = aws.by_region[each.key]`.
    pub for_each: Option<Expr>,
    pub body: Body,
    pub span: Span,
}

impl ProviderConfig {
    /// `aws` or `aws.west`: how resources and module calls name this configuration.
    pub fn key(&self) -> String {
        provider_key(&self.name, self.alias.as_deref())
    }
}

/// `name` or `name.alias`, the key of a provider configuration in its module.
fn provider_key(name: &str, alias: Option<&str>) -> String {
    match alias {
        Some(a) => format!("{name}.{a}"),
        None => name.to_string(),
    }
}

/// A reference to a provider configuration as `provider = ...` and `providers = {...}`
/// write it: `aws`, `aws.west`, or an instance of a `for_each` one, `aws.by_region[each.key]`.
#[derive(Debug, Clone)]
pub struct ProviderRef {
    pub name: String,
    pub alias: Option<String>,
    /// The instance key expression, evaluated per resource (or module) instance.
    pub key: Option<Expr>,
    pub span: Span,
}

impl ProviderRef {
    /// The configuration it names (`aws.by_region`), without the instance key.
    pub fn config_key(&self) -> String {
        provider_key(&self.name, self.alias.as_deref())
    }
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub ty: Option<Type>,
    pub default: Option<Expr>,
    pub description: Option<String>,
    pub sensitive: bool,
    /// `ephemeral = true` (Terraform 1.10): the value may be ephemeral, and is marked
    /// ephemeral wherever it is used; a root module's is never saved in a plan file.
    pub ephemeral: bool,
    pub nullable: bool,
    pub validations: Vec<Validation>,
    /// The `variable "name"` header.
    pub span: Span,
}

/// A `validation { condition = ..., error_message = ... }` (also used for preconditions).
#[derive(Debug, Clone)]
pub struct Validation {
    pub condition: Expr,
    pub error_message: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Local {
    pub name: String,
    pub expr: Expr,
    /// The whole `name = expr` attribute.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub expr: Expr,
    pub description: Option<String>,
    pub sensitive: bool,
    /// `ephemeral = true` (Terraform 1.10, child modules only): the value may be derived
    /// from ephemeral values, and is marked ephemeral for the caller.
    pub ephemeral: bool,
    pub depends_on: Vec<Expr>,
    pub preconditions: Vec<Validation>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceMode {
    Managed,
    Data,
    /// `ephemeral "type" "name"` (Terraform 1.10): opened in every plan and apply, its
    /// value never stored (see `walk::ephemeral`).
    Ephemeral,
}

impl ResourceMode {
    /// How messages name a type of this mode: "resource", "data source", "ephemeral resource".
    pub fn noun(self) -> &'static str {
        match self {
            ResourceMode::Managed => "resource",
            ResourceMode::Data => "data source",
            ResourceMode::Ephemeral => "ephemeral resource",
        }
    }

    /// What a reference or address starts with before `type.name`: "", "data.", "ephemeral.".
    pub fn prefix(self) -> &'static str {
        match self {
            ResourceMode::Managed => "",
            ResourceMode::Data => "data.",
            ResourceMode::Ephemeral => "ephemeral.",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub mode: ResourceMode,
    pub type_name: String,
    pub name: String,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    /// `provider = aws.west`; the default comes from the type's prefix.
    pub provider: Option<ProviderRef>,
    pub lifecycle: Lifecycle,
    /// The remaining arguments and nested blocks (meta-arguments removed).
    pub body: Body,
    /// The `resource "type" "name"` header.
    pub span: Span,
}

impl Resource {
    /// `type.name` or `data.type.name`, relative to the module.
    pub fn key(&self) -> String {
        format!("{}{}.{}", self.mode.prefix(), self.type_name, self.name)
    }

    /// The provider configuration name this resource uses (`aws` for `aws_vpc`).
    pub fn provider_name(&self) -> String {
        match &self.provider {
            Some(p) => p.name.clone(),
            None => default_provider_for_type(&self.type_name),
        }
    }
}

/// Terraform's rule: the provider is the type name's prefix up to the first underscore.
pub fn default_provider_for_type(type_name: &str) -> String {
    type_name.split('_').next().unwrap_or(type_name).to_string()
}

#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    pub create_before_destroy: bool,
    /// A bool expression (a literal, or OpenTofu 1.12's values of the module).
    pub prevent_destroy: Option<Expr>,
    /// OpenTofu 1.11's switch: zero or one (unkeyed) instance; never with count/for_each.
    pub enabled: Option<Expr>,
    /// Attribute names (top-level) whose changes are ignored; `all` ignores everything.
    pub ignore_changes: Vec<String>,
    pub ignore_all_changes: bool,
    pub replace_triggered_by: Vec<Expr>,
    pub preconditions: Vec<Validation>,
    pub postconditions: Vec<Validation>,
}

#[derive(Debug, Clone)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    pub source_span: Span,
    /// The parsed `source`; `None` when it was missing or invalid (already reported).
    pub source_addr: Option<crate::sources::Source>,
    /// The `version` constraint of a registry module, with its argument's span.
    pub version: Option<(crate::sources::Constraints, Span)>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    /// Input variables passed to the child.
    pub inputs: BTreeMap<String, Attribute>,
    /// `providers = { aws = aws.west }`: child configuration key → the parent's.
    pub providers: BTreeMap<String, ProviderRef>,
    pub span: Span,
}

/// `moved { from = ..., to = ... }` with the addresses as written.
#[derive(Debug, Clone)]
pub struct Moved {
    pub from: String,
    pub to: String,
    pub span: Span,
}

/// `removed { from = ... lifecycle { destroy = false } }`.
#[derive(Debug, Clone)]
pub struct Removed {
    pub from: String,
    pub destroy: bool,
    pub span: Span,
}

/// `import { to = ADDR  id = EXPR }`: adopt an existing object as the instance `to`.
#[derive(Debug, Clone)]
pub struct Import {
    /// The instance address as written (module-relative, with `[key]`); with `to_key`,
    /// the resource address before its key expression (`aws_iam_role.this`).
    pub to: String,
    /// The expression in `to = aws_iam_role.this[each.key]`, evaluated per `for_each`
    /// element.
    pub to_key: Option<Expr>,
    /// `for_each` (Terraform 1.7): one import per element, with `each.key`/`each.value`
    /// in `to`'s key and in `id`.
    pub for_each: Option<Expr>,
    /// Evaluated at plan time in the root module; must be a known string.
    pub id: Expr,
    /// The block header, for errors about the block.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    pub expr: Expr,
    /// The whole `name = expr`.
    pub span: Span,
    pub name_span: Span,
}

/// A block body whose meaning depends on a schema (resource, provider, nested blocks).
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub attributes: crate::lang::VecMap<String, Attribute>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
    /// The block header (`kind "label" {`).
    pub span: Span,
}

#[cfg(test)]
mod tests {
    use crate::config::load;

    /// `span_at` goes down object and tuple constructors as far as they are written.
    #[test]
    fn span_at_stops_at_the_deepest_constructor_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = r#"resource "kubernetes_manifest" "app" {
  manifest = {
    spec = {
      source = { path = "p" }
      "sync" = [{ a = 1 }, (merge({}, { b = 2 }))]
      other  = local.x
    }
  }
}
"#;
        std::fs::write(dir.path().join("main.tf"), text).expect("write");
        let (config, diags) = load(dir.path());
        assert!(!diags.has_errors(), "{diags:?}");
        let r = config.root.resources.values().next().expect("a resource");
        let expr = &r.body.attributes.get("manifest").expect("manifest").expr;
        let at = |path: &[&str]| {
            let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
            let loc = config.sources.location(expr.span_at(&path));
            (loc.line, loc.column)
        };
        assert_eq!(at(&[]), (2, 14));
        assert_eq!(at(&["spec", "source", "repoURL"]), (4, 16));
        assert_eq!(at(&["spec", "source", "path"]), (4, 25));
        assert_eq!(at(&["spec", "sync", "0", "a"]), (5, 23));
        assert_eq!(at(&["spec", "sync", "1", "b"]), (5, 29));
        assert_eq!(at(&["spec", "sync", "7"]), (5, 16));
        assert_eq!(at(&["spec", "other", "x"]), (6, 16));
    }
}
