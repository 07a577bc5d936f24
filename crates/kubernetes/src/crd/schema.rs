//! A custom resource checked against its CRD's `openAPIV3Schema`, as the API server checks
//! it, on hubctl's values (so unknown values, known only after apply, pass).
//!
//! The structural-schema subset real CRDs use: `type` (object, array, string, integer,
//! number, boolean), `properties`, `required`, `items`, `enum`, `additionalProperties`
//! (bool or schema), `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string`,
//! `x-kubernetes-embedded-resource`, `nullable`, `minimum`/`maximum` (and their exclusive
//! forms), `minItems`/`maxItems`, `minLength`/`maxLength`, `pattern`, and `format` for
//! `int32`, `byte`, `date` and `date-time`. Not judged here (the server still
//! judges them at apply): `allOf`/`anyOf`/`oneOf`/`not`, CEL rules
//! (`x-kubernetes-validations`), list-type uniqueness and other formats.
//!
//! Unknown fields are refused, not pruned. For a structural schema the API server drops a
//! field its schema does not declare (pruning: silently before 1.25, with only a warning
//! header after, unless the request asks for `fieldValidation=Strict`); kubectl
//! (`--validate=strict`, its default since 1.25) and server-side apply with
//! `fieldValidation=Strict` (what hubctl sends) refuse it, and so does the Terraform
//! provider's `kubernetes_manifest` ("Failed to morph manifest"). A misspelled `repoUrl`
//! would otherwise apply and do nothing, which hubctl never lets pass.
//!
//! Values hubctl sends as absent are absent here too: an object entry that is null is not
//! sent (it does not satisfy `required`, and needs no `nullable`); a null list element is
//! sent, and needs `nullable`. Messages use the API server's wording
//! (`spec.source.repoURL: Required value`).

use hubctl_core::lang::Value;

/// One step into a value: an object key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// One refusal: where in the object, and the API server's words for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: Vec<Seg>,
    pub message: String,
}

impl Problem {
    /// `spec.source.repoURL`, `spec.syncOptions[0]`, `metadata.annotations[a.b/c]`.
    pub fn dotted(&self) -> String {
        dotted(&self.path)
    }

    /// `spec.source.repoURL: Required value`.
    pub fn line(&self) -> String {
        format!("{}: {}", self.dotted(), self.message)
    }
}

pub fn dotted(path: &[Seg]) -> String {
    let mut out = String::new();
    for s in path {
        match s {
            Seg::Key(k) if k.contains('.') || k.contains('/') => out.push_str(&format!("[{k}]")),
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Every problem of `obj` (a whole custom resource) under `schema` (an `openAPIV3Schema`).
/// `apiVersion`, `kind` and `metadata` at the root are the API server's own (ObjectMeta is
/// validated apart from the schema), so they are not judged here.
pub fn validate(schema: &Value, obj: &Value) -> Vec<Problem> {
    let mut v = Validator {
        out: Vec::new(),
        path: Vec::new(),
    };
    v.check(schema, obj, true);
    v.out
}

struct Validator {
    out: Vec<Problem>,
    path: Vec<Seg>,
}

/// A schema keyword's value (marks peeled).
fn kw<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
    schema.peel().get_attr(name).map(Value::peel)
}

fn flag(schema: &Value, name: &str) -> bool {
    kw(schema, name).and_then(Value::as_bool) == Some(true)
}

fn num(schema: &Value, name: &str) -> Option<f64> {
    kw(schema, name).and_then(Value::as_number)
}

/// The JSON type the API server sees for a value.
fn json_type(v: &Value) -> &'static str {
    match v.peel() {
        Value::Null | Value::Unknown(_) => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.as_i64().is_some() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) | Value::Tuple(_) | Value::Set(_) => "array",
        _ => "object",
    }
}

/// A value as the API server quotes it in a message; sensitive values stay hidden.
fn shown(v: &Value) -> String {
    if v.is_sensitive() {
        return "(sensitive value)".into();
    }
    match v.peel() {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => format!("{:?}", json_type(other)),
    }
}

fn type_ok(want: &str, v: &Value) -> bool {
    match (want, json_type(v)) {
        ("number", "integer") => true,
        (w, have) => w == have,
    }
}

impl Validator {
    fn problem(&mut self, message: String) {
        self.out.push(Problem {
            path: self.path.clone(),
            message,
        });
    }

    fn invalid(&mut self, v: &Value, what: String) {
        let at = dotted(&self.path);
        self.problem(format!("Invalid value: {}: {at} in body {what}", shown(v)));
    }

    fn check(&mut self, schema: &Value, v: &Value, root: bool) {
        if v.is_unknown() {
            return;
        }
        if v.is_null() {
            if !flag(schema, "nullable") && kw(schema, "type").is_some() {
                let ty = kw(schema, "type").and_then(Value::as_str).unwrap_or("");
                self.invalid(v, format!("must be of type {ty}: \"null\""));
            }
            return;
        }
        if flag(schema, "x-kubernetes-int-or-string") {
            if !matches!(json_type(v), "integer" | "string") {
                let have = json_type(v);
                self.invalid(v, format!("must be of type integer-or-string: {have:?}"));
            }
            return;
        }
        if let Some(want) = kw(schema, "type").and_then(Value::as_str) {
            if !type_ok(want, v) {
                let have = json_type(v);
                self.invalid(v, format!("must be of type {want}: {have:?}"));
                return;
            }
        }
        self.check_enum(schema, v);
        match v.peel() {
            Value::Map(m) | Value::Object(m) => {
                let entries: Vec<(&String, &Value)> = m.iter().collect();
                self.check_object(schema, &entries, root);
            }
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => self.check_array(schema, xs),
            Value::String(s) => self.check_string(schema, v, s),
            Value::Number(n) => self.check_number(schema, v, n.to_f64()),
            _ => {}
        }
    }

    fn check_enum(&mut self, schema: &Value, v: &Value) {
        let Some(allowed) = kw(schema, "enum").and_then(Value::as_seq) else {
            return;
        };
        if !v.is_wholly_known() || allowed.iter().any(|a| same(a, v)) {
            return;
        }
        let list: Vec<String> = allowed.iter().map(shown).collect();
        self.problem(format!(
            "Unsupported value: {}: supported values: {}",
            shown(v),
            list.join(", ")
        ));
    }

    fn check_object(&mut self, schema: &Value, entries: &[(&String, &Value)], root: bool) {
        let props = kw(schema, "properties").and_then(Value::as_map);
        let present = |k: &str| {
            entries
                .iter()
                .any(|(name, x)| name.as_str() == k && !x.is_null())
        };
        for r in kw(schema, "required")
            .and_then(Value::as_seq)
            .unwrap_or(&[])
        {
            if let Some(name) = r.peel().as_str() {
                if !present(name) {
                    self.path.push(Seg::Key(name.to_string()));
                    self.problem("Required value".into());
                    self.path.pop();
                }
            }
        }
        let additional = kw(schema, "additionalProperties");
        let preserve = flag(schema, "x-kubernetes-preserve-unknown-fields");
        let embedded = root || flag(schema, "x-kubernetes-embedded-resource");
        for (k, x) in entries {
            let own = props.and_then(|p| p.get(k.as_str()));
            if x.is_null() || (embedded && is_object_meta(k)) {
                continue;
            }
            self.path.push(Seg::Key(k.to_string()));
            match (own, additional) {
                (Some(s), _) => self.check(s, x, false),
                (None, Some(a)) if a.as_map().is_some() => self.check(a, x, false),
                (None, Some(Value::Bool(true))) => {}
                (None, _) if preserve => {}
                (None, _) => self.problem(
                    "Unknown field: the schema does not declare it (the API server would drop it)"
                        .into(),
                ),
            }
            self.path.pop();
        }
    }

    fn check_array(&mut self, schema: &Value, xs: &[Value]) {
        let n = xs.len() as f64;
        if let Some(min) = num(schema, "minItems").filter(|m| n < *m) {
            let at = dotted(&self.path);
            self.problem(format!(
                "Invalid value: {n}: {at} in body should have at least {min} items"
            ));
        }
        if let Some(max) = num(schema, "maxItems").filter(|m| n > *m) {
            let at = dotted(&self.path);
            self.problem(format!(
                "Too many: {n}: {at} in body must have at most {max} items"
            ));
        }
        let Some(items) = kw(schema, "items") else {
            return;
        };
        for (i, x) in xs.iter().enumerate() {
            self.path.push(Seg::Index(i));
            self.check(items, x, false);
            self.path.pop();
        }
    }

    fn check_string(&mut self, schema: &Value, v: &Value, s: &str) {
        let len = s.chars().count() as f64;
        if let Some(min) = num(schema, "minLength").filter(|m| len < *m) {
            self.invalid(v, format!("should be at least {min} chars long"));
        }
        if let Some(max) = num(schema, "maxLength").filter(|m| len > *m) {
            self.invalid(v, format!("may not be longer than {max}"));
        }
        if let Some(p) = kw(schema, "pattern").and_then(Value::as_str) {
            // A pattern the regex crate cannot compile is left to the server (Go's RE2 and
            // the regex crate agree on the syntax CRDs use).
            if let Ok(re) = regex::Regex::new(p) {
                if !re.is_match(s) {
                    self.invalid(v, format!("should match '{p}'"));
                }
            }
        }
        if let Some(f) = kw(schema, "format").and_then(Value::as_str) {
            if !format_ok(f, s) {
                self.invalid(v, format!("must be of type {f}: {s:?}"));
            }
        }
    }

    fn check_number(&mut self, schema: &Value, v: &Value, n: f64) {
        if let Some(min) = num(schema, "minimum") {
            let exclusive = flag(schema, "exclusiveMinimum");
            if n < min || (exclusive && n == min) {
                let or_equal = if exclusive { "" } else { " or equal to" };
                self.invalid(v, format!("should be greater than{or_equal} {min}"));
            }
        }
        if let Some(max) = num(schema, "maximum") {
            let exclusive = flag(schema, "exclusiveMaximum");
            if n > max || (exclusive && n == max) {
                let or_equal = if exclusive { "" } else { " or equal to" };
                self.invalid(v, format!("should be less than{or_equal} {max}"));
            }
        }
        let int32 = kw(schema, "format").and_then(Value::as_str) == Some("int32");
        if int32 && (n < f64::from(i32::MIN) || n > f64::from(i32::MAX)) {
            self.invalid(v, format!("must be of type int32: \"{}\"", shown(v)));
        }
    }
}

/// The keys every object has apart from its schema (at the root and in embedded objects).
fn is_object_meta(k: &str) -> bool {
    matches!(k, "apiVersion" | "kind" | "metadata")
}

/// Enum membership: numbers by value, the rest by equal content.
fn same(a: &Value, b: &Value) -> bool {
    match (a.peel(), b.peel()) {
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (x, y) => crate::shape::normalize(x) == crate::shape::normalize(y),
    }
}

/// The string formats checked here; the others pass (the server judges them).
fn format_ok(format: &str, s: &str) -> bool {
    use base64::Engine;
    match format {
        "byte" => base64::engine::general_purpose::STANDARD.decode(s).is_ok(),
        "date-time" => s.parse::<jiff::Timestamp>().is_ok(),
        "date" => s.len() == 10 && s.parse::<jiff::civil::Date>().is_ok(),
        _ => true,
    }
}
