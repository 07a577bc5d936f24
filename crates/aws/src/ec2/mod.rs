//! EC2 resource types (the hub network) and what they share: tag specifications, tag
//! updates, id filters, waiters.

mod common;
mod vpc;

pub use common::*;

use hubctl_core::provider::{DataSource, Resource};
use std::sync::Arc;

/// One line per resource type.
pub fn resources() -> Vec<Arc<dyn Resource>> {
    vec![Arc::new(vpc::Vpc)]
}

/// One line per data source.
pub fn data_sources() -> Vec<Arc<dyn DataSource>> {
    vec![]
}
