//! State: what hubctl believes exists. The model ([`State`], [`StateOp`]), the [`Backend`]
//! contract with its conformance suite, and the local backend (snapshot + journal + lock
//! file). Remote backends (S3) live in provider crates and run the same suite.

pub mod backend;
pub mod conformance;
pub mod crypto;
mod error;
mod instance;
mod journal;
pub mod lease;
pub mod local;
pub mod lock;
mod lock_lease;
pub mod model;
pub mod terraform;

pub use backend::{Backend, StateVersion};
pub use error::StateError;
pub use local::LocalBackend;
pub use lock::LockInfo;
pub use model::{
    migrate_or_check, InstanceState, Mode, OutputState, State, StateOp, Status, FORMAT_VERSION,
};

#[cfg(test)]
#[path = "fixtures_tests.rs"]
mod fixtures_tests;
