//! hubctl's engine: configuration → values → graph → plan → apply → state. It depends on no
//! network SDK, so its tests build and run in seconds; providers live in their own crates.

pub mod addr;
pub mod apply;
pub mod config;
pub mod diag;
pub mod graph;
pub mod lang;
pub mod plan;
pub mod provider;
pub mod state;
