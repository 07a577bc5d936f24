//! What a plan is: one change per resource instance and output, plus what apply needs to
//! check that the world has not moved since (state lineage/serial, configuration hash).

use crate::lang::Value;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    DeleteThenCreate,
    CreateThenDelete,
    Delete,
}

impl Action {
    /// The symbol Terraform prints (`+ ~ - -/+ +/- <=`).
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Read => "<=",
            Action::Update => "~",
            Action::DeleteThenCreate => "-/+",
            Action::CreateThenDelete => "+/-",
            Action::Delete => "-",
        }
    }

    pub fn is_replace(self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }

    /// Terraform's JSON `actions` array.
    pub fn json_actions(self) -> Vec<&'static str> {
        match self {
            Action::NoOp => vec!["no-op"],
            Action::Create => vec!["create"],
            Action::Read => vec!["read"],
            Action::Update => vec!["update"],
            Action::DeleteThenCreate => vec!["delete", "create"],
            Action::CreateThenDelete => vec!["create", "delete"],
            Action::Delete => vec!["delete"],
        }
    }
}

/// Why an instance gets its action. JSON plans carry Terraform's `action_reason` values
/// (pipelines parse them); the human plan says it in words. Reasons Terraform has no value
/// for are only said in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Reason {
    Tainted,
    /// An argument that cannot change in place changed (the `# forces replacement` marks).
    CannotUpdate,
    /// `lifecycle { replace_triggered_by }`.
    Triggers,
    /// `-replace=ADDR`.
    ByRequest,
    DeletedOutside,
    /// The intent record of an interrupted create is all the state has.
    InterruptedCreate,
    /// A delete of this object was started and interrupted.
    InterruptedDelete,
    CountIndex,
    EachKey,
    /// `count` became `for_each` (or the reverse), so the old key can never match.
    WrongRepetition,
    NoResourceConfig,
    NoModule,
    /// A deposed object left by an interrupted create-before-destroy replacement.
    Deposed,
    /// A data source read deferred to apply.
    ReadConfigUnknown,
    /// A data source read deferred to apply: what its `depends_on` names has changes.
    DependencyPending,
    /// `-refresh-only`: the object changed (or vanished) outside hubctl; applying records it.
    Drift,
}

impl Reason {
    /// Terraform's JSON `action_reason`, where it has one.
    pub fn json(self) -> Option<&'static str> {
        Some(match self {
            Reason::Tainted => "replace_because_tainted",
            Reason::CannotUpdate => "replace_because_cannot_update",
            Reason::Triggers => "replace_by_triggers",
            Reason::ByRequest => "replace_by_request",
            Reason::CountIndex => "delete_because_count_index",
            Reason::EachKey => "delete_because_each_key",
            Reason::WrongRepetition => "delete_because_wrong_repetition",
            Reason::NoResourceConfig => "delete_because_no_resource_config",
            Reason::NoModule => "delete_because_no_module",
            Reason::ReadConfigUnknown => "read_because_config_unknown",
            Reason::DependencyPending => "read_because_dependency_pending",
            Reason::DeletedOutside
            | Reason::InterruptedCreate
            | Reason::InterruptedDelete
            | Reason::Deposed
            | Reason::Drift => return None,
        })
    }

    /// The words of the human plan's `# (because ...)` line; None where the plan shows why
    /// otherwise (`# forces replacement` on the attributes, or the header line).
    pub fn words(self) -> Option<&'static str> {
        Some(match self {
            Reason::Tainted => "it is tainted",
            Reason::CannotUpdate => return None,
            // Said by the header ("will be replaced due to changes in replace_triggered_by",
            // "will be replaced, as requested"), as Terraform does.
            Reason::Triggers | Reason::ByRequest | Reason::Drift => return None,
            Reason::DeletedOutside => "it was deleted outside hubctl",
            Reason::InterruptedCreate => "an earlier apply was interrupted while creating it",
            Reason::InterruptedDelete => "an earlier apply was interrupted while deleting it",
            Reason::CountIndex => "its index is out of range for count",
            Reason::EachKey => "its key is not in for_each",
            Reason::WrongRepetition => "the resource's count or for_each changed kind",
            Reason::NoResourceConfig => "it is no longer in the configuration",
            Reason::NoModule => "its module is no longer in the configuration",
            Reason::Deposed => "it is a deposed object left by a replacement",
            Reason::ReadConfigUnknown => {
                "its configuration depends on values known only after apply"
            }
            Reason::DependencyPending => {
                "it depends on a resource or a module with changes pending"
            }
        })
    }
}

/// The planned change of one resource instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub address: String,
    /// The config-level resource address (no instance key).
    pub resource: String,
    pub mode: crate::state::Mode,
    pub type_name: String,
    pub provider: String,
    pub action: Action,
    #[serde(with = "super::encoding::opt_value")]
    pub before: Option<Value>,
    #[serde(with = "super::encoding::opt_value")]
    pub after: Option<Value>,
    /// Attributes whose change forces the replacement.
    pub replace_paths: Vec<String>,
    /// Why, when the action alone does not say.
    pub reason: Option<Reason>,
    /// Set when the instance is adopted by an `import` block: `before` is the imported
    /// object, which apply writes to state before carrying out `action`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importing: Option<Importing>,
}

#[cfg(test)]
impl ResourceChange {
    /// A managed `terraform_data` change at `address` (its resource: the address without
    /// the instance key), for tests of what renders plans.
    pub(crate) fn of(
        address: &str,
        action: Action,
        before: Option<Value>,
        after: Option<Value>,
    ) -> ResourceChange {
        ResourceChange {
            address: address.into(),
            resource: address.split('[').next().unwrap_or(address).into(),
            mode: crate::state::Mode::Managed,
            type_name: "terraform_data".into(),
            provider: "terraform".into(),
            action,
            before,
            after,
            replace_paths: Vec::new(),
            reason: None,
            importing: None,
        }
    }
}

/// Terraform's `change.importing`: the id the object was imported by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Importing {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputChange {
    pub name: String,
    pub action: Action,
    #[serde(with = "super::encoding::opt_value")]
    pub before: Option<Value>,
    #[serde(with = "super::encoding::opt_value")]
    pub after: Option<Value>,
    pub sensitive: bool,
}

/// A complete plan. Saved with `plan -out` and applied exactly by `apply FILE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: String,
    pub format_version: u32,
    pub hubctl_version: String,
    pub destroy: bool,
    /// The root module directory the plan was made for.
    #[serde(default)]
    pub root_dir: String,
    /// Hash of every configuration file read (paths and contents).
    pub config_hash: String,
    /// The state the plan was made against (None when there was no state).
    pub state_lineage: Option<String>,
    pub state_serial: Option<u64>,
    /// Root variable values used, so apply evaluates exactly the planned configuration.
    #[serde(with = "super::encoding::value_map")]
    pub variables: BTreeMap<String, Value>,
    /// The ephemeral root variables set for the plan, by name only (never their values):
    /// applying the saved plan must be given them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ephemeral_variables: Vec<String>,
    pub changes: Vec<ResourceChange>,
    pub output_changes: Vec<OutputChange>,
    /// Warnings/errors that were found while planning, rendered.
    pub errored: bool,
    /// `-refresh-only`: applying only records `drift` (what changed outside hubctl) in state.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refresh_only: bool,
    /// Objects that changed outside hubctl: `before` as stored, `after` as read (None when
    /// the object is gone). Only refresh-only plans fill it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<ResourceChange>,
    /// `-target` addresses the plan was limited to (empty: everything); apply keeps to them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// `-exclude` addresses the plan left out (with what depends on them); apply keeps to
    /// the same walk.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<String>,
    /// The results of the `check` blocks' assertions against this plan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<super::check_blocks::CheckResult>,
    /// (old, new) addresses `moved` blocks rewrote in the prior state.
    #[serde(default)]
    pub moved: Vec<(String, String)>,
    /// Instances `removed` blocks drop from the state without destroying them.
    #[serde(default)]
    pub forgotten: Vec<String>,
    /// The instant `plantimestamp()` returned while planning; applying the plan uses it
    /// again, as Terraform's (None in plans saved before hubctl had it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The dependency mocks the plan was made with, each named with its location (a unit of
    /// a run over a whole tree whose `count` or `for_each` read an output not known yet).
    /// Such a plan shows what the mock gives, not what the dependency will: it is never
    /// applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mocked: Vec<String>,
}

pub const PLAN_FORMAT: &str = "hubctl-plan";
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub import: usize,
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    pub read: usize,
}

impl Plan {
    /// A plan of `changes` and nothing else, for tests of what renders plans.
    #[cfg(test)]
    pub(crate) fn of_changes(changes: Vec<ResourceChange>) -> Plan {
        Plan {
            format: PLAN_FORMAT.into(),
            format_version: PLAN_FORMAT_VERSION,
            hubctl_version: "0".into(),
            destroy: false,
            root_dir: ".".into(),
            config_hash: String::new(),
            state_lineage: None,
            state_serial: None,
            variables: Default::default(),
            ephemeral_variables: Vec::new(),
            changes,
            output_changes: vec![],
            errored: false,
            moved: vec![],
            forgotten: vec![],
            targets: vec![],
            excludes: vec![],
            checks: vec![],
            refresh_only: false,
            drift: vec![],
            timestamp: None,
            mocked: Vec::new(),
        }
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            // Forgetting a data source is not destroying anything.
            if c.mode == crate::state::Mode::Data && c.action == Action::Delete {
                continue;
            }
            if c.importing.is_some() {
                s.import += 1;
            }
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Delete => s.destroy += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    s.add += 1;
                    s.destroy += 1
                }
                Action::Read => s.read += 1,
                Action::NoOp => {}
            }
        }
        s
    }

    /// True when applying would change resources or outputs.
    pub fn has_changes(&self) -> bool {
        self.changes
            .iter()
            .any(|c| !matches!(c.action, Action::NoOp | Action::Read) || c.importing.is_some())
            || !self.moved.is_empty()
            || !self.forgotten.is_empty()
            || !self.drift.is_empty()
            || self.output_changes.iter().any(|c| c.action != Action::NoOp)
    }

    pub fn change(&self, address: &str) -> Option<&ResourceChange> {
        self.changes.iter().find(|c| c.address == address)
    }
}

/// The steps of an attribute path as written in `replace_paths` (`vpc_config[0].subnet_ids`),
/// as Terraform's plan JSON lists them: `["vpc_config", 0, "subnet_ids"]`.
pub fn path_steps(path: &str) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for seg in path.split('.') {
        let mut parts = seg.split('[');
        if let Some(name) = parts.next().filter(|n| !n.is_empty()) {
            out.push(serde_json::Value::from(name));
        }
        for idx in parts {
            let idx = idx.trim_end_matches(']');
            match idx.parse::<u64>() {
                Ok(i) => out.push(serde_json::Value::from(i)),
                Err(_) => out.push(serde_json::Value::from(idx.trim_matches('"'))),
            }
        }
    }
    out
}

#[cfg(test)]
mod path_tests {
    #[test]
    fn paths_split_into_terraform_steps() {
        assert_eq!(
            super::path_steps("vpc_config[0].subnet_ids"),
            serde_json::json!(["vpc_config", 0, "subnet_ids"])
                .as_array()
                .cloned()
                .unwrap()
        );
        assert_eq!(super::path_steps("tags"), vec![serde_json::json!("tags")]);
    }
}
