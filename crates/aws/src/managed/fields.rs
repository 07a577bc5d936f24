//! One declarative table of attributes per type. Each entry names an attribute once and
//! says how it is declared (its schema) and how the API reports it (its read); the schema,
//! the state read from the API and the request building (`CIDR.str(planned)`) all use the
//! same entry, so a name can neither be misspelt in one place nor forgotten in another.

use crate::config::AwsClients;
use hubctl_core::lang::{Type, Value, VecMap};
use hubctl_core::provider::{AttrSchema, BlockSchema, Schema};
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

/// Every field of the table from the API's description; `kept` ones from `base`.
pub fn read_fields<A>(
    c: &AwsClients,
    x: &A,
    base: &Value,
    fields: &[&Field<A>],
) -> VecMap<String, Value> {
    let mut m = VecMap::new();
    for f in fields {
        let v = match f.read {
            How::Api(read) => read(c, x),
            How::Named(read) => read(c, x, f.name),
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
