//! SDK errors mapped once, to a [`ProviderError`] that names the API operation
//! (`ec2:CreateSubnet`), carries AWS's error code and message, and has the kind the engine
//! acts on: not found (a delete of a gone object is success), throttled, conflict, invalid, or
//! uncertain (the call may have taken effect). Each service spells "not found" its own way,
//! so the codes are listed per service. Transport problems (a wrong endpoint, no credentials)
//! are spelled out with their whole cause chain, since "dispatch failure" alone tells nothing.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use hubctl_core::provider::{ErrorKind, ProviderError};

/// "No such object" codes by service (the prefix of the operation, `iam:GetRole` → `iam`).
/// EC2 spells them `<Thing>.NotFound` (`InvalidVpcID.NotFound`), matched by suffix.
const NOT_FOUND: &[(&str, &[&str])] = &[
    ("iam", &["NoSuchEntity"]),
    ("kms", &["NotFoundException"]),
    ("eks", &["ResourceNotFoundException"]),
    ("dynamodb", &["ResourceNotFoundException"]),
    ("s3", &["NoSuchKey", "NoSuchBucket", "NotFound"]),
    ("sts", &[]),
];

const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "RequestThrottled",
    "ProvisionedThroughputExceededException",
];

const CONFLICT: &[&str] = &[
    "DependencyViolation",
    "IncorrectState",
    "IncorrectInstanceState",
    "InvalidState",
    "ResourceInUseException",
    "ConflictException",
    "DeleteConflict",
    "ConcurrentModification",
    "ConcurrentModificationException",
    "KMSInvalidStateException",
    "EntityAlreadyExists",
    "AlreadyExistsException",
    "ResourceAlreadyExistsException",
];

/// Server-side failures after which the request may still have been carried out.
const UNCERTAIN: &[&str] = &[
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalServerError",
    "ServerException",
    "KMSInternalException",
    // IAM's 500, KMS's timeout reaching a dependency.
    "ServiceFailure",
    "DependencyTimeoutException",
];

/// The kind of AWS error `code` answered to operation `op`.
pub fn kind_of(op: &str, code: &str) -> ErrorKind {
    let service = op.split(':').next().unwrap_or_default();
    let not_found = match service {
        "ec2" => code.ends_with(".NotFound") || code.ends_with("NotFound"),
        _ => NOT_FOUND
            .iter()
            .find(|(s, _)| *s == service)
            .is_some_and(|(_, codes)| codes.contains(&code)),
    };
    if not_found {
        ErrorKind::NotFound
    } else if THROTTLED.contains(&code) {
        ErrorKind::Throttled
    } else if CONFLICT.contains(&code) {
        ErrorKind::Conflict
    } else if UNCERTAIN.contains(&code) {
        ErrorKind::Uncertain
    } else if code.starts_with("Invalid")
        || code.starts_with("Malformed")
        || code.starts_with("Validation")
        || code == "UnauthorizedOperation"
        || code == "AccessDenied"
        || code == "AccessDeniedException"
        || code == "LimitExceeded"
        || code == "UnmodifiableEntity"
        || code == "LimitExceededException"
        || code == "ResourceLimitExceededException"
        || code == "UnsupportedAvailabilityZoneException"
    {
        ErrorKind::Invalid
    } else {
        ErrorKind::Other
    }
}

/// Converts an SDK error of operation `op` (e.g. `"ec2:CreateVpc"`).
pub fn sdk<E, R>(op: &str, e: SdkError<E, R>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let (message, kind) = match &e {
        SdkError::ServiceError(se) => {
            let err = se.err();
            let code = err.code().unwrap_or("Unknown");
            let msg = err.message().unwrap_or("");
            (format!("{code}: {msg}"), kind_of(op, code))
        }
        SdkError::DispatchFailure(d) => {
            let what = if d.is_timeout() {
                "the request timed out"
            } else if d.is_io() {
                "could not connect to the endpoint (is AWS_ENDPOINT_URL or the provider's `endpoints` right, and is the service up?)"
            } else {
                "the request could not be sent"
            };
            let kind = if d.is_timeout() || d.is_io() {
                ErrorKind::Uncertain
            } else {
                ErrorKind::Other
            };
            (format!("{what}: {}", DisplayErrorContext(&e)), kind)
        }
        SdkError::TimeoutError(_) => (
            format!("the request timed out: {}", DisplayErrorContext(&e)),
            ErrorKind::Uncertain,
        ),
        SdkError::ResponseError(_) => (DisplayErrorContext(&e).to_string(), ErrorKind::Uncertain),
        _ => (DisplayErrorContext(&e).to_string(), ErrorKind::Other),
    };
    ProviderError::new(op, message).kind(kind)
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

/// True for "the object is already gone" answers to `op`: deletes treat them as success.
pub fn is_not_found<E, R>(op: &str, e: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    code(e).is_some_and(|c| kind_of(op, c) == ErrorKind::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_service_has_its_own_not_found() {
        assert_eq!(
            kind_of("ec2:DeleteVpc", "InvalidVpcID.NotFound"),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind_of("iam:DeleteRole", "NoSuchEntity"),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind_of("kms:DescribeKey", "NotFoundException"),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind_of("eks:DeleteCluster", "ResourceNotFoundException"),
            ErrorKind::NotFound
        );
        // Another service's spelling is not taken for "gone".
        assert_eq!(
            kind_of("iam:DeleteRole", "NotFoundException"),
            ErrorKind::Other
        );
        assert_eq!(
            kind_of("ec2:DeleteVpc", "DependencyViolation"),
            ErrorKind::Conflict
        );
        assert_eq!(
            kind_of("eks:CreateCluster", "ThrottlingException"),
            ErrorKind::Throttled
        );
        assert_eq!(
            kind_of("ec2:CreateVpc", "InternalError"),
            ErrorKind::Uncertain
        );
        assert_eq!(
            kind_of("ec2:CreateRoute", "InvalidParameterValue"),
            ErrorKind::Invalid
        );
        // IAM and KMS.
        let iam = [
            ("iam:CreateRole", "EntityAlreadyExists", ErrorKind::Conflict),
            ("iam:DeleteRole", "DeleteConflict", ErrorKind::Conflict),
            (
                "iam:CreateRole",
                "MalformedPolicyDocument",
                ErrorKind::Invalid,
            ),
            ("iam:DeleteRole", "UnmodifiableEntity", ErrorKind::Invalid),
            ("iam:GetRole", "ServiceFailure", ErrorKind::Uncertain),
            (
                "kms:ScheduleKeyDeletion",
                "KMSInvalidStateException",
                ErrorKind::Conflict,
            ),
            (
                "kms:CreateAlias",
                "AlreadyExistsException",
                ErrorKind::Conflict,
            ),
            (
                "kms:CreateKey",
                "DependencyTimeoutException",
                ErrorKind::Uncertain,
            ),
            ("kms:DescribeKey", "NoSuchEntity", ErrorKind::Other),
        ];
        for (op, code, kind) in iam {
            assert_eq!(kind_of(op, code), kind, "{op} {code}");
        }
    }

    #[test]
    fn eks_codes() {
        let k = |c| kind_of("eks:CreateCluster", c);
        assert_eq!(k("ResourceNotFoundException"), ErrorKind::NotFound);
        assert_eq!(k("ResourceInUseException"), ErrorKind::Conflict);
        assert_eq!(k("InvalidParameterException"), ErrorKind::Invalid);
        assert_eq!(k("InvalidRequestException"), ErrorKind::Invalid);
        assert_eq!(k("ResourceLimitExceededException"), ErrorKind::Invalid);
        assert_eq!(k("ServerException"), ErrorKind::Uncertain);
        assert_eq!(k("ServiceUnavailableException"), ErrorKind::Uncertain);
        assert_eq!(
            k("UnsupportedAvailabilityZoneException"),
            ErrorKind::Invalid
        );
    }
}
