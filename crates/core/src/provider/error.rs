//! What can go wrong in a provider call, in the few kinds the engine acts on: a gone object
//! is success for a delete, an uncertain outcome keeps a create's intent in state, a
//! throttled call may be retried. Each provider maps its API's error codes to these once.

/// The kind of a provider failure; the engine's decisions depend on it, never on text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The object does not exist (deletes and refreshes treat this as "gone").
    NotFound,
    /// The API asked us to slow down; the call made no change.
    Throttled,
    /// The object is in a state that forbids the call now (in use, being modified).
    Conflict,
    /// The call may or may not have taken effect (a timeout, a lost connection): a create's
    /// intent stays in state so the next run looks for the object before making another.
    Uncertain,
    /// The request was refused as malformed or not allowed; nothing was changed.
    Invalid,
    Other,
}

/// A provider-side failure. `operation` names the API call (`ec2:CreateSubnet`) when there
/// was one, so every error tells the user which call failed.
#[derive(Debug, Clone)]
pub struct ProviderError {
    pub operation: Option<String>,
    pub message: String,
    pub kind: ErrorKind,
}

impl ProviderError {
    /// A definite failure (`Other`) of `operation`; an empty operation means none.
    pub fn new(operation: impl Into<String>, message: impl Into<String>) -> Self {
        let op = operation.into();
        ProviderError {
            operation: (!op.is_empty()).then_some(op),
            message: message.into(),
            kind: ErrorKind::Other,
        }
    }

    /// A failure without an API call behind it (a refused argument, a missing feature).
    pub fn msg(message: impl Into<String>) -> Self {
        ProviderError::new("", message)
    }

    pub fn kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Whether the call may have taken effect despite the error.
    pub fn is_uncertain(&self) -> bool {
        self.kind == ErrorKind::Uncertain
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.operation {
            Some(op) => write!(f, "{op}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for ProviderError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_operation_is_none_and_display_names_the_call() {
        let e = ProviderError::new("", "nope");
        assert_eq!(e.operation, None);
        assert_eq!(e.to_string(), "nope");
        let e = ProviderError::new("ec2:CreateVpc", "boom").kind(ErrorKind::Uncertain);
        assert_eq!(e.to_string(), "ec2:CreateVpc: boom");
        assert!(e.is_uncertain() && !e.is_not_found());
    }
}
