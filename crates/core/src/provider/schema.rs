//! Resource schemas: which arguments exist, which are required, computed, force-new or
//! sensitive. The engine validates configuration and plans changes from these alone.

use crate::lang::{Type, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub attributes: BTreeMap<String, AttrSchema>,
    pub blocks: BTreeMap<String, BlockSchema>,
}

#[derive(Debug, Clone)]
pub struct AttrSchema {
    pub ty: Type,
    pub required: bool,
    pub optional: bool,
    /// Set by the provider when the user leaves it out (ids, ARNs, defaults chosen by AWS).
    pub computed: bool,
    /// A change can only be made by replacing the resource.
    pub force_new: bool,
    pub sensitive: bool,
    /// Used when the user leaves the argument out.
    pub default: Option<Value>,
}

impl AttrSchema {
    pub fn required(ty: Type) -> Self {
        AttrSchema {
            ty,
            required: true,
            optional: false,
            computed: false,
            force_new: false,
            sensitive: false,
            default: None,
        }
    }
    pub fn optional(ty: Type) -> Self {
        AttrSchema {
            required: false,
            optional: true,
            ..AttrSchema::required(ty)
        }
    }
    pub fn computed(ty: Type) -> Self {
        AttrSchema {
            required: false,
            optional: false,
            computed: true,
            ..AttrSchema::required(ty)
        }
    }
    /// Optional, and computed when left out.
    pub fn optional_computed(ty: Type) -> Self {
        AttrSchema {
            required: false,
            optional: true,
            computed: true,
            ..AttrSchema::required(ty)
        }
    }
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn default(mut self, v: Value) -> Self {
        self.default = Some(v);
        self
    }
    /// Whether the user may set it.
    pub fn is_argument(&self) -> bool {
        self.required || self.optional
    }
}

/// How a nested block type is represented in the value (Terraform's nesting modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block; the value is an object or null.
    Single,
    /// A list of objects, in source order.
    List,
    /// A set of objects.
    Set,
}

#[derive(Debug, Clone)]
pub struct BlockSchema {
    pub nesting: Nesting,
    pub min_items: usize,
    pub max_items: Option<usize>,
    pub force_new: bool,
    pub schema: Schema,
}

impl Schema {
    pub fn new() -> Self {
        Schema::default()
    }
    pub fn attr(mut self, name: &str, a: AttrSchema) -> Self {
        self.attributes.insert(name.to_string(), a);
        self
    }
    pub fn block(mut self, name: &str, b: BlockSchema) -> Self {
        self.blocks.insert(name.to_string(), b);
        self
    }
    /// The object type of a whole instance value (every attribute optional), used to give
    /// state values read back from JSON their schema types (sets, numbers).
    pub fn object_type(&self) -> Type {
        let mut attrs = BTreeMap::new();
        for (k, a) in &self.attributes {
            attrs.insert(
                k.clone(),
                crate::lang::ObjectAttr {
                    ty: a.ty.clone(),
                    optional: true,
                    default: None,
                },
            );
        }
        for (k, b) in &self.blocks {
            let inner = b.schema.object_type();
            let ty = match b.nesting {
                Nesting::Single => inner,
                Nesting::List => Type::List(Box::new(inner)),
                Nesting::Set => Type::Set(Box::new(inner)),
            };
            attrs.insert(
                k.clone(),
                crate::lang::ObjectAttr {
                    ty,
                    optional: true,
                    default: None,
                },
            );
        }
        Type::Object(attrs)
    }

    /// Names of all arguments and blocks a user may write (for "did you mean" hints).
    pub fn argument_names(&self) -> Vec<&str> {
        self.attributes
            .iter()
            .filter(|(_, a)| a.is_argument())
            .map(|(k, _)| k.as_str())
            .chain(self.blocks.keys().map(String::as_str))
            .collect()
    }
}
