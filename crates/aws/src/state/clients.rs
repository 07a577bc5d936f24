//! The SDK clients a backend block needs, built from its settings: region and endpoints
//! from the block first, then the SDK's standard sources. Path-style addressing whenever an
//! endpoint is overridden, because emulators (moto) do not serve `bucket.host` names.

use super::settings::S3Settings;
/// For callers that inspect lock items without their own SDK dependency (tests).
pub use aws_sdk_dynamodb::types::AttributeValue;

/// S3, DynamoDB and KMS clients for one backend block.
#[derive(Clone)]
pub struct Clients {
    pub s3: aws_sdk_s3::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub kms: aws_sdk_kms::Client,
}

fn env_endpoint(service: &str) -> bool {
    [
        "AWS_ENDPOINT_URL".to_string(),
        format!("AWS_ENDPOINT_URL_{service}"),
    ]
    .iter()
    .any(|k| std::env::var(k).is_ok_and(|v| !v.is_empty()))
}

impl Clients {
    pub async fn new(settings: &S3Settings) -> Clients {
        let sdk = settings.auth().sdk_config().await;
        let mut s3 = aws_sdk_s3::config::Builder::from(&sdk).interceptor(crate::api_log::ApiLog);
        if let Some(url) = &settings.endpoint_s3 {
            s3 = s3.endpoint_url(url);
        }
        if settings.use_path_style || settings.endpoint_s3.is_some() || env_endpoint("S3") {
            s3 = s3.force_path_style(true);
        }
        if settings.skip_s3_checksum {
            s3 = s3.request_checksum_calculation(
                aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired,
            );
        }
        let mut ddb =
            aws_sdk_dynamodb::config::Builder::from(&sdk).interceptor(crate::api_log::ApiLog);
        if let Some(url) = &settings.endpoint_dynamodb {
            ddb = ddb.endpoint_url(url);
        }
        let mut kms = aws_sdk_kms::config::Builder::from(&sdk).interceptor(crate::api_log::ApiLog);
        if let Some(url) = &settings.endpoint_kms {
            kms = kms.endpoint_url(url);
        }
        Clients {
            s3: aws_sdk_s3::Client::from_conf(s3.build()),
            dynamodb: aws_sdk_dynamodb::Client::from_conf(ddb.build()),
            kms: aws_sdk_kms::Client::from_conf(kms.build()),
        }
    }
}
