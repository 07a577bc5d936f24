//! Who the AWS credentials belong to, for Terragrunt's `get_aws_account_id()`,
//! `get_aws_caller_identity_arn()` and `get_aws_caller_identity_user_id()`. The engine links
//! no SDK: the CLI installs the lookup once at start ([`set_identity`]); it is asked only
//! when a unit calls one of these, once per process, as Terragrunt caches it per run.

use std::sync::{Arc, OnceLock};

/// The answer of STS `GetCallerIdentity`.
#[derive(Debug, Clone, PartialEq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

pub trait AwsIdentity: Send + Sync {
    /// Asks AWS; the error is a sentence naming the call and what failed.
    fn identity(&self) -> Result<CallerIdentity, String>;
}

static LOOKUP: OnceLock<Arc<dyn AwsIdentity>> = OnceLock::new();
static ANSWER: OnceLock<Result<CallerIdentity, String>> = OnceLock::new();

/// Installs the lookup (the first call wins).
pub fn set_identity(lookup: Arc<dyn AwsIdentity>) {
    let _ = LOOKUP.set(lookup);
}

/// The caller identity, asked of AWS on first use.
pub(super) fn identity() -> Result<CallerIdentity, String> {
    ANSWER
        .get_or_init(|| match LOOKUP.get() {
            Some(l) => l.identity(),
            None => Err("no AWS credentials lookup is available here".into()),
        })
        .clone()
}
