//! The dependency graph, built in straight-line code from references: variables, locals,
//! outputs, resources (managed and data) and provider configurations of every module, with
//! an edge from each node to what it references and to its `depends_on`. One graph serves
//! validate, plan, apply and `hubctl graph`.

mod build;
mod cycles;
mod dot;
mod providers;
mod query;
mod refs;

pub use build::{
    build, for_each_expr, module_at as build_module_at, Graph, ModuleEntry, Node, NodeKind,
};
pub use dot::to_dot;
pub use providers::KeySelect;
