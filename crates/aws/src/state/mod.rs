//! The `s3` state backend: the state object sealed client-side with a KMS data key
//! (`hubctl_core::state::crypto`), checkpoints as small sealed journal objects beside it,
//! history from S3 object versions, and a DynamoDB (or S3 lock-object) lock.

pub mod bootstrap;
pub mod clients;
pub mod dynamodb_lock;
pub mod kms;
pub mod lockfile;
pub mod object;
pub mod remote_states;
pub mod s3;
pub mod settings;

pub use kms::KmsKeys;
pub use s3::S3Backend;
pub use settings::S3Settings;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use hubctl_core::state::StateError;

/// An SDK failure of `op` (`s3:GetObject`) on `target` (`s3://b/k`, `table t`), as a
/// message that names both and says what to do.
pub(crate) fn call_failed<E, R>(op: &str, target: &str, e: SdkError<E, R>) -> StateError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = crate::error::code(&e).unwrap_or("").to_string();
    // A service error without a code is an answer the SDK could not parse: say what it was.
    let detail = match &e {
        SdkError::ServiceError(_) if code.is_empty() => format!(
            " ({})",
            aws_smithy_types::error::display::DisplayErrorContext(&e)
        ),
        _ => String::new(),
    };
    let err = crate::error::sdk(op, e);
    StateError::Other(format!(
        "{op} on {target} failed: {}{detail}.{}",
        err.message,
        hint(&code)
    ))
}

fn hint(code: &str) -> &'static str {
    match code {
        "NoSuchBucket" | "ResourceNotFoundException" | "NotFoundException" => {
            " It does not exist yet: run `hubctl init --bootstrap` to create the bucket, the \
             lock table and the KMS key."
        }
        "AccessDenied"
        | "AccessDeniedException"
        | "KMSInvalidStateException"
        | "DisabledException" => {
            " Check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID) and that their policy \
             allows this call on this resource."
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn missing_resources_point_at_bootstrap() {
        assert!(super::hint("NoSuchBucket").contains("hubctl init --bootstrap"));
        assert!(super::hint("ResourceNotFoundException").contains("--bootstrap"));
        assert_eq!(super::hint("Throttling"), "");
    }
}
