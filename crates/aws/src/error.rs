//! SDK errors mapped once, to a [`ProviderError`] that names the API operation
//! (`ec2:CreateSubnet`), carries AWS's error code and message, and says whether a retry could
//! help. Transport problems (a wrong endpoint, no credentials) are spelled out with their
//! whole cause chain, since the first line alone ("dispatch failure") tells nothing.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use hubctl_core::provider::ProviderError;

/// Converts an SDK error of operation `op` (e.g. `"ec2:CreateVpc"`).
pub fn sdk<E, R>(op: &str, e: SdkError<E, R>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let (message, retryable) = match &e {
        SdkError::ServiceError(se) => {
            let err = se.err();
            let code = err.code().unwrap_or("Unknown");
            let msg = err.message().unwrap_or("");
            let retryable = matches!(
                code,
                "Throttling" | "RequestLimitExceeded" | "ServiceUnavailable" | "InternalError"
            );
            (format!("{code}: {msg}"), retryable)
        }
        SdkError::DispatchFailure(d) => {
            let what = if d.is_timeout() {
                "the request timed out"
            } else if d.is_io() {
                "could not connect to the endpoint (is AWS_ENDPOINT_URL or the provider's `endpoints` right, and is the service up?)"
            } else {
                "the request could not be sent"
            };
            (
                format!("{what}: {}", DisplayErrorContext(&e)),
                d.is_timeout() || d.is_io(),
            )
        }
        SdkError::TimeoutError(_) => (
            format!("the request timed out: {}", DisplayErrorContext(&e)),
            true,
        ),
        _ => (DisplayErrorContext(&e).to_string(), false),
    };
    ProviderError {
        operation: op.to_string(),
        message,
        retryable,
    }
}

/// The AWS error code of a service error (`InvalidVpcID.NotFound`), if it is one.
pub fn code<E, R>(e: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match e {
        SdkError::ServiceError(se) => se.err().code(),
        _ => None,
    }
}

/// A conditional write lost: S3 answers a failed `If-Match` / `If-None-Match` with 412
/// PreconditionFailed, or 409 ConditionalRequestConflict while another one is in flight.
pub fn is_precondition_failed<E, R>(e: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    matches!(
        code(e),
        Some("PreconditionFailed" | "ConditionalRequestConflict")
    )
}

/// True for "the object is already gone" codes: deletes treat them as success.
pub fn is_not_found<E, R>(e: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    code(e).is_some_and(|c| {
        c.ends_with(".NotFound") || c.ends_with("NotFound") || c == "InvalidAllocationID.NotFound"
    })
}
