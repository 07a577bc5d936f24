//! One declarative table of attributes per type. Each entry names an attribute once and
//! says how it is declared (its schema) and how the API reports it (its read); the schema,
//! the state read from the API and the request building (`CIDR.str(planned)`) all use the
//! same entry, so a name can neither be misspelt in one place nor forgotten in another.

use crate::config::AwsClients;
use hubctl_core::lang::{Type, Value, VecMap};
use hubctl_core::provider::{AttrSchema, BlockSchema, Nesting, Schema};
use std::sync::OnceLock;

/// Declares a type's attribute table, one entry a line: `NAME = ctor(args);` becomes
/// `const NAME: Field<Api> = Field::ctor(args);` (`ctor` one of [`Field`]'s constructors), and
/// `FIELDS` lists every entry in declaration order, for `Managed::fields`. The entries stay
/// ordinary constants, so requests name them (`CIDR.str(planned)`) as before.
macro_rules! field_table {
    ($api:ty; $($(#[$m:meta])* $name:ident = $ctor:ident($($arg:expr),+ $(,)?);)+) => {
        $($(#[$m])*
        const $name: $crate::managed::Field<$api> = $crate::managed::Field::$ctor($($arg),+);)+
        /// The attribute table, in declaration order.
        const FIELDS: &[&$crate::managed::Field<$api>] = &[$(&$name),+];
    };
}
pub(crate) use field_table;

/// How the API reports an attribute on its description of an object `A`.
pub type Read<A> = fn(&AwsClients, &A) -> Value;

/// A read shared by several attributes (a route's ten targets), told which one it reads.
pub type ReadNamed<A> = fn(&AwsClients, &A, &str) -> Value;

/// A read that also sees the planned or prior value (`base`) and the attribute's name: for
/// answers AWS spells differently from the configuration (a key ARN for a key id).
pub type ReadBased<A> = fn(&AwsClients, &A, &Value, &str) -> Value;

/// The policy document AWS reports, as text (maybe URL-encoded).
pub type ReadPolicy<A> = for<'a> fn(&'a A) -> Option<&'a str>;

/// One attribute (or nested block) of a type.
pub struct Field<A: 'static> {
    pub name: &'static str,
    def: Def,
    read: How<A>,
}

enum How<A: 'static> {
    Api(Read<A>),
    Named(ReadNamed<A>),
    Based(ReadBased<A>),
    Policy(ReadPolicy<A>),
    Kept,
}

#[derive(Clone, Copy)]
enum Def {
    Attr(fn() -> AttrSchema),
    Block(fn() -> BlockSchema),
}

impl<A> Field<A> {
    /// An attribute the API reports.
    pub const fn api(name: &'static str, schema: fn() -> AttrSchema, read: Read<A>) -> Self {
        Field {
            name,
            def: Def::Attr(schema),
            read: How::Api(read),
        }
    }

    /// One of several attributes read by the same function (see [`ReadNamed`]).
    pub const fn named(name: &'static str, schema: fn() -> AttrSchema, read: ReadNamed<A>) -> Self {
        Field {
            name,
            def: Def::Attr(schema),
            read: How::Named(read),
        }
    }

    /// An attribute whose read sees the planned or prior value (see [`ReadBased`]).
    pub const fn based(name: &'static str, schema: fn() -> AttrSchema, read: ReadBased<A>) -> Self {
        Field {
            name,
            def: Def::Attr(schema),
            read: How::Based(read),
        }
    }

    /// A policy document: compared by meaning ([`crate::policy`]) in the plan and on read,
    /// so the state keeps the configured text while AWS's answer means the same.
    pub const fn policy(
        name: &'static str,
        schema: fn() -> AttrSchema,
        read: ReadPolicy<A>,
    ) -> Self {
        Field {
            name,
            def: Def::Attr(schema),
            read: How::Policy(read),
        }
    }

    /// Whether this is a policy document attribute.
    pub fn is_policy(&self) -> bool {
        matches!(self.read, How::Policy(_))
    }

    /// An attribute the API's description does not report (a VPC's DNS flags): the state
    /// keeps the planned or prior value; a type reads it with its own call where it must.
    pub const fn kept(name: &'static str, schema: fn() -> AttrSchema) -> Self {
        Field {
            name,
            def: Def::Attr(schema),
            read: How::Kept,
        }
    }

    /// A nested block the API reports (a route table's inline `route` set).
    pub const fn block(name: &'static str, schema: fn() -> BlockSchema, read: Read<A>) -> Self {
        Field {
            name,
            def: Def::Block(schema),
            read: How::Api(read),
        }
    }

    pub fn get<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        v.get_attr(self.name)
    }

    pub fn str(&self, v: &Value) -> Option<String> {
        self.get(v).and_then(Value::as_str).map(str::to_string)
    }

    /// The string, where state writes "unset" as `""` (route and association arguments).
    pub fn nonempty(&self, v: &Value) -> Option<String> {
        self.str(v).filter(|s| !s.is_empty())
    }

    pub fn bool(&self, v: &Value) -> Option<bool> {
        self.get(v).and_then(Value::as_bool)
    }

    pub fn set(&self, m: &mut VecMap<String, Value>, x: Value) {
        m.insert(self.name.to_string(), x);
    }
}

/// A table `head` followed by one entry per name of `tail` (`entry(name)`, a route's ten
/// targets from the shared target list), built once per process into `cell`.
pub fn with_named<A>(
    cell: &'static OnceLock<Vec<&'static Field<A>>>,
    head: &[&'static Field<A>],
    tail: &[&'static str],
    entry: fn(&'static str) -> Field<A>,
) -> &'static [&'static Field<A>] {
    cell.get_or_init(|| {
        let mut f = head.to_vec();
        f.extend(tail.iter().map(|t| &*Box::leak(Box::new(entry(t)))));
        f
    })
}

/// The schema the table declares.
pub fn schema_of<A>(fields: &[&Field<A>]) -> Schema {
    fields.iter().fold(Schema::new(), |s, f| match f.def {
        Def::Attr(a) => s.attr(f.name, a()),
        Def::Block(b) => s.block(f.name, b()),
    })
}

/// Every field of the table from the API's description; `kept` ones from `base`. Where
/// `base` is a planned or prior state (not an import's null), the API's answer is taken
/// through [`echo_rule`].
pub fn read_fields<A>(
    c: &AwsClients,
    x: &A,
    base: &Value,
    fields: &[&Field<A>],
) -> VecMap<String, Value> {
    let mut m = VecMap::new();
    for f in fields {
        let v = match f.read {
            How::Api(read) => f.echo_rule(base, read(c, x)),
            How::Named(read) => f.echo_rule(base, read(c, x, f.name)),
            How::Based(read) => read(c, x, base, f.name),
            How::Policy(read) => crate::policy::read_keeping(read(x), base, f.name),
            // Without a base value (an import), the schema default, as a plan would set it.
            How::Kept => match f.get(base).filter(|v| !v.is_null()) {
                Some(v) => v.clone(),
                None => match f.def {
                    Def::Attr(a) => a().default.unwrap_or(Value::Null),
                    Def::Block(_) => Value::Null,
                },
            },
        };
        m.insert(f.name.to_string(), v);
    }
    m
}

impl<A> Field<A> {
    /// The API's answer for this field through [`echo_attr`] / [`echo_block`]; an import
    /// (`base` null) or a base without the field takes the answer as it is.
    fn echo_rule(&self, base: &Value, read: Value) -> Value {
        let Some(last) = base.as_map().and_then(|m| m.get(self.name)) else {
            return read;
        };
        match self.def {
            Def::Attr(a) => echo_attr(&a(), last, read),
            Def::Block(b) => echo_block(&b(), last, read),
        }
    }
}

/// The two rules that keep an API's echo from making a diff, for every type:
/// - an optional argument the user did not set (`last` unset) stays unset, whatever the API
///   answers for it (a default it reports, an emulator's filler);
/// - an argument the API does not return (`read` null; reads give an empty collection for
///   "none", null for "not reported") keeps the value last applied, as the Terraform
///   provider does for write-only arguments.
///
/// Computed-only attributes and changed values the API does return (drift) are the API's.
fn echo_attr(a: &AttrSchema, last: &Value, read: Value) -> Value {
    if last.is_unknown() || !a.is_argument() {
        return read;
    }
    let user_only = a.optional && !a.computed && a.default.is_none();
    if (user_only && is_unset(last)) || (read.is_null() && !is_unset(last)) {
        return last.clone();
    }
    read
}

/// [`echo_attr`]'s rules for a nested block (every block is the user's to write), then
/// inside each element of a single or list block, pairing elements by position.
fn echo_block(b: &BlockSchema, last: &Value, read: Value) -> Value {
    if last.is_unknown() {
        return read;
    }
    // Left out and read back as none (an empty collection): the read, so that a create
    // and an import of the same object agree.
    if is_unset(last) && is_unset(&read) && !read.is_null() {
        return read;
    }
    if is_unset(last) || read.is_null() {
        return last.clone();
    }
    match (b.nesting, read) {
        (Nesting::List, Value::List(xs)) => {
            let prior = last.as_seq().unwrap_or_default();
            let els = xs.into_iter().enumerate();
            Value::List(
                els.map(|(i, x)| echo_element(&b.schema, prior.get(i), x))
                    .collect(),
            )
        }
        (Nesting::Single, x) => echo_element(&b.schema, Some(last), x),
        (_, read) => read,
    }
}

fn echo_element(schema: &Schema, last: Option<&Value>, read: Value) -> Value {
    let (Some(last), Value::Object(mut m)) = (last.filter(|l| l.as_map().is_some()), read.clone())
    else {
        return read;
    };
    for (name, a) in &schema.attributes {
        if let Some(l) = last.get_attr(name) {
            let r = m.get(name).cloned().unwrap_or(Value::Null);
            m.insert(name.clone(), echo_attr(a, l, r));
        }
    }
    for (name, b) in &schema.blocks {
        if let Some(l) = last.get_attr(name) {
            let r = m.get(name).cloned().unwrap_or(Value::Null);
            m.insert(name.clone(), echo_block(b, l, r));
        }
    }
    Value::Object(m)
}

/// Null or an empty collection: what an argument left out is in a value.
fn is_unset(v: &Value) -> bool {
    v.is_null()
        || v.as_seq().is_some_and(<[Value]>::is_empty)
        || v.as_map().is_some_and(|m| m.is_empty())
}

/// A string or null.
pub fn opt(x: Option<&str>) -> Value {
    x.map(Value::from).unwrap_or(Value::Null)
}

/// A string or null, where EC2 (and emulators) answer `""` for "none".
pub fn nz(x: Option<&str>) -> Value {
    opt(x.filter(|s| !s.is_empty()))
}

/// A string that state writes as `""` when unset.
pub fn or_empty(x: Option<&str>) -> Value {
    Value::from(x.unwrap_or_default())
}

pub fn computed_str() -> AttrSchema {
    AttrSchema::computed(Type::String)
}

/// Optional, with no default.
pub fn optional_str() -> AttrSchema {
    AttrSchema::optional(Type::String)
}

/// Optional, and a change replaces the object.
pub fn optional_str_new() -> AttrSchema {
    AttrSchema::optional(Type::String).force_new()
}

/// Optional, with `default` when left out.
pub fn optional_bool(default: bool) -> AttrSchema {
    AttrSchema::optional(Type::Bool).default(Value::Bool(default))
}

/// Optional, and `""` in state when unset (the Terraform SDK's shape for a route's or an
/// association's arguments).
pub fn empty_str() -> AttrSchema {
    AttrSchema::optional(Type::String).default(Value::from(""))
}

/// [`empty_str`], and a change replaces the object.
pub fn empty_str_new() -> AttrSchema {
    empty_str().force_new()
}

pub fn required_str() -> AttrSchema {
    AttrSchema::required(Type::String)
}

/// Required, and a change replaces the object.
pub fn required_str_new() -> AttrSchema {
    AttrSchema::required(Type::String).force_new()
}

/// Optional, computed when left out, and a change replaces the object.
pub fn optional_computed_str_new() -> AttrSchema {
    AttrSchema::optional_computed(Type::String).force_new()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTE: Field<Value> = Field::api("note", optional_str, |_, x| {
        x.get_attr("note").cloned().unwrap_or(Value::Null)
    });
    const MODE: Field<Value> = Field::api(
        "mode",
        || AttrSchema::optional_computed(Type::String),
        |_, x| x.get_attr("mode").cloned().unwrap_or(Value::Null),
    );
    const ID: Field<Value> = Field::api("id", computed_str, |_, x| {
        x.get_attr("id").cloned().unwrap_or(Value::Null)
    });

    fn read(api: Value, base: Value) -> VecMap<String, Value> {
        let c = crate::config::test_clients(Default::default());
        read_fields(&c, &api, &base, &[&NOTE, &MODE, &ID])
    }

    #[test]
    fn an_echo_of_an_argument_the_user_left_out_is_no_diff() {
        let api = Value::map([
            ("note", Value::from("eksKeypair")),
            ("mode", Value::from("API")),
        ]);
        let base = Value::map([("note", Value::Null), ("mode", Value::Null)]);
        let m = read(api.clone(), base);
        assert_eq!(m.get("note"), Some(&Value::Null));
        // Optional + computed: the API's value is the one wanted.
        assert_eq!(m.get("mode"), Some(&Value::from("API")));
        // An import has no base: everything as the API says.
        assert_eq!(
            read(api, Value::Null).get("note"),
            Some(&Value::from("eksKeypair"))
        );
    }

    #[test]
    fn the_rules_apply_inside_blocks_element_by_element() {
        let inner = Schema::new()
            .attr(
                "groups",
                AttrSchema::optional(Type::Set(Box::new(Type::String))),
            )
            .attr(
                "subnets",
                AttrSchema::required(Type::Set(Box::new(Type::String))),
            )
            .attr("vpc_id", computed_str());
        let b = BlockSchema {
            nesting: Nesting::List,
            min_items: 0,
            max_items: Some(1),
            force_new: false,
            schema: inner,
        };
        let el = |groups: Value, subnets: Value, vpc: Value| {
            Value::List(vec![Value::object([
                ("groups", groups),
                ("subnets", subnets),
                ("vpc_id", vpc),
            ])])
        };
        let subnets = Value::set(vec![Value::from("s-1")]);
        let last = el(Value::Null, subnets.clone(), Value::Null);
        // The API answers [] for the groups left out, drops the subnets, fills vpc_id.
        let read = el(Value::set(vec![]), Value::Null, Value::from("vpc-1"));
        let got = echo_block(&b, &last, read);
        assert_eq!(got, el(Value::Null, subnets, Value::from("vpc-1")));
        // A block the user did not write stays absent whatever the API echoes.
        let echoed = el(Value::Null, Value::set(vec![Value::from("x")]), Value::Null);
        assert_eq!(
            echo_block(&b, &Value::List(vec![]), echoed),
            Value::List(vec![])
        );
    }

    #[test]
    fn an_argument_the_api_does_not_return_keeps_the_last_applied_value() {
        let base = Value::map([("note", Value::from("a")), ("mode", Value::from("API"))]);
        let m = read(Value::map([("id", Value::from("x"))]), base.clone());
        assert_eq!(m.get("note"), Some(&Value::from("a")));
        assert_eq!(m.get("mode"), Some(&Value::from("API")));
        // A changed value the API does return is seen (drift), and computed-only
        // attributes are always the API's.
        let api = Value::map([("note", Value::from("b")), ("id", Value::from("x"))]);
        let m = read(api, base);
        assert_eq!(m.get("note"), Some(&Value::from("b")));
        assert_eq!(m.get("id"), Some(&Value::from("x")));
    }
}
