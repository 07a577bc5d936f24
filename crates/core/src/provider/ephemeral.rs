//! The contract of an ephemeral resource type (Terraform 1.10's `ephemeral "TYPE" "NAME"`):
//! something a run obtains for its own use only, like a short-lived cluster token, a lease
//! or a temporary credential. The engine opens it whenever a run needs it, in plan *and*
//! in apply (and in a destroy), hands its value to the expressions that refer to it with the
//! ephemeral mark on it, and closes it when the walk is done. Nothing of it is ever written:
//! not to state, not to a plan file, not to any output.
//!
//! A provider crate registers a type by returning it from
//! [`Provider::ephemeral_resources`](super::Provider::ephemeral_resources):
//!
//! ```ignore
//! fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
//!     vec![Arc::new(eks::ClusterAuth::new())]
//! }
//! ```
//!
//! Configuration blocks then write `ephemeral "aws_eks_cluster_auth" "hub" { name = ... }`
//! and refer to `ephemeral.aws_eks_cluster_auth.hub.token`.

use super::{Invalid, OpContext, ProviderError, Schema};
use crate::lang::Value;
use async_trait::async_trait;

/// What [`EphemeralResource::open`] obtained.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// The result object the configuration's references see (its schema's attributes),
    /// wholly known.
    pub value: Value,
    /// What [`EphemeralResource::close`] needs to release it (a lease id), never shown to
    /// the configuration; null when closing needs nothing.
    pub private: Value,
}

impl Opened {
    /// A result with nothing to release.
    pub fn value(value: Value) -> Opened {
        Opened {
            value,
            private: Value::Null,
        }
    }
}

/// One ephemeral resource type.
#[async_trait]
pub trait EphemeralResource: Send + Sync {
    fn type_name(&self) -> &'static str;
    /// The configuration arguments (required/optional) and the result attributes
    /// (computed), as a managed type's schema has them.
    fn schema(&self) -> &Schema;

    /// As [`super::Resource::validate`].
    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let _ = config;
        Vec::new()
    }

    /// Obtains the object from the configuration (wholly known; the engine does not open
    /// an instance whose configuration or provider is not known yet, and leaves its value
    /// unknown instead). Called once per instance in every plan and every apply, so it must
    /// be cheap to repeat and must not change anything a later run would see.
    async fn open(&self, ctx: &OpContext<'_>, config: &Value) -> Result<Opened, ProviderError>;

    /// Releases what `open` obtained, once the run no longer needs it. The default does
    /// nothing, for results that simply expire (a token).
    async fn close(&self, ctx: &OpContext<'_>, opened: &Opened) -> Result<(), ProviderError> {
        let _ = (ctx, opened);
        Ok(())
    }
}
