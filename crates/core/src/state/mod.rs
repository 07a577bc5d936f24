//! TEMPORARY stub of the state API (replaced by the state work on merge).
#![allow(dead_code, unused_variables, clippy::todo)]
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const FORMAT_VERSION: u32 = 1;
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    pub lineage: String,
    pub serial: u64,
    pub hubctl_version: String,
    pub outputs: BTreeMap<String, OutputState>,
    pub resources: BTreeMap<String, InstanceState>,
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputState {
    pub value: serde_json::Value,
    pub sensitive: bool,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Managed,
    Data,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Ready,
    Tainted,
    Creating,
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceState {
    pub mode: Mode,
    #[serde(rename = "type")]
    pub type_name: String,
    pub provider: String,
    pub attributes: serde_json::Value,
    pub sensitive_attributes: Vec<String>,
    pub dependencies: Vec<String>,
    pub status: Status,
    pub create_before_destroy: bool,
}
impl State {
    pub fn new() -> State {
        todo!()
    }
    pub fn apply_op(&mut self, op: &StateOp) {
        todo!()
    }
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StateOp {
    SetInstance {
        address: String,
        instance: InstanceState,
    },
    RemoveInstance {
        address: String,
    },
    SetOutput {
        name: String,
        output: OutputState,
    },
    RemoveOutput {
        name: String,
    },
}
#[async_trait]
pub trait Backend: Send + Sync {
    async fn load(&self) -> Result<Option<State>, StateError>;
    async fn checkpoint(&self, ops: &[StateOp]) -> Result<(), StateError>;
    async fn persist(&self, state: &State) -> Result<(), StateError>;
    async fn lock(&self, info: LockInfo) -> Result<LockInfo, StateError>;
    async fn unlock(&self, id: &str) -> Result<(), StateError>;
    async fn force_unlock(&self, id: &str) -> Result<(), StateError>;
    fn describe(&self) -> String;
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockInfo {
    pub id: String,
    pub operation: String,
    pub who: String,
    pub version: String,
    pub created: String,
    pub path: String,
}
impl LockInfo {
    pub fn new(operation: &str, path: &str) -> LockInfo {
        todo!()
    }
}
#[derive(Debug)]
pub enum StateError {
    Other(String),
}
impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        todo!()
    }
}
pub struct LocalBackend {
    path: PathBuf,
}
impl LocalBackend {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        todo!()
    }
}
