//! Progress events a plan or an apply reports to the CLI's display (the walk itself
//! reports none).

use super::model::Action;

/// Progress events for the CLI's display.
#[derive(Debug, Clone)]
pub enum Event {
    Refreshing {
        address: String,
        id: Option<String>,
    },
    Started {
        address: String,
        action: Action,
    },
    Still {
        address: String,
        action: Action,
        elapsed: std::time::Duration,
    },
    Done {
        address: String,
        action: Action,
        elapsed: std::time::Duration,
        id: Option<String>,
    },
    Failed {
        address: String,
        action: Action,
        error: String,
    },
    /// What an operation in flight is waiting for, from the type's waiter.
    Progress {
        address: String,
        message: String,
    },
    /// What a type says of the object once an operation is done, for the run's log.
    Note {
        address: String,
        message: String,
    },
    /// What a create found of an earlier attempt whose outcome was unknown.
    Recovered {
        address: String,
        recovery: crate::provider::Recovery,
    },
}

pub trait Observer: Send + Sync {
    fn event(&self, e: Event);
}

/// An observer that ignores everything.
pub struct Silent;
impl Observer for Silent {
    fn event(&self, _e: Event) {}
}
