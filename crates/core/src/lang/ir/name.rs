//! Interned identifiers: `var`, `local`, `terraform_data`, `output`, `name` ... occur in
//! every resource of a configuration, and each was a `String` (plus decor) in the `hcl-edit`
//! tree. A [`Name`] is a pointer to one process-wide copy.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// An identifier, stored once per process. The set only grows: it holds the distinct names
/// of the configurations a process loads, a few thousand strings at most.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(&'static str);

impl Name {
    pub fn new(s: &str) -> Name {
        static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
        let mut names = NAMES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = names.get(s) {
            return Name(n);
        }
        let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
        names.insert(leaked);
        Name(leaked)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0, f)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}
