//! Between a state instance and the [`Value`] the engine works with: sensitive attributes
//! are recorded by name in state and marked on the value.

use super::{InstanceState, Mode, Status};
use crate::lang::Value;

impl InstanceState {
    /// The state record for an instance value (its sensitive attributes listed by name).
    pub fn from_value(
        mode: Mode,
        type_name: &str,
        provider: &str,
        v: &Value,
        dependencies: Vec<String>,
        status: Status,
        create_before_destroy: bool,
    ) -> InstanceState {
        let sensitive = v
            .as_map()
            .map(|m| {
                m.iter()
                    .filter(|(_, x)| x.contains_sensitive())
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        InstanceState {
            mode,
            type_name: type_name.to_string(),
            provider: provider.to_string(),
            attributes: v.to_json(),
            sensitive_attributes: sensitive,
            dependencies,
            status,
            create_before_destroy,
            create_token: None,
        }
    }

    /// The attributes as a [`Value`], with the sensitive ones marked.
    pub fn value(&self) -> Value {
        let mut v = Value::from_json(&self.attributes);
        if let Some(m) = v.as_map_mut() {
            for name in &self.sensitive_attributes {
                if let Some(x) = m.remove(name) {
                    m.insert(name.clone(), x.sensitive());
                }
            }
        }
        v
    }
}
