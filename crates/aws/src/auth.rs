//! Region, credentials and retries for one AWS configuration — a `provider "aws"` block or a
//! `backend "s3"` block, which take the same Terraform arguments (`profile`, static keys,
//! `shared_*_files`, `max_retries`, `assume_role`) — turned into one `SdkConfig`.
//!
//! What a block leaves out comes from the SDK's standard sources (`AWS_REGION`,
//! `AWS_PROFILE`, `AWS_ENDPOINT_URL*`, the default credential chain). With `assume_role`, the
//! base credentials only call `sts:AssumeRole`; every other call uses the role's temporary
//! credentials, refreshed by the SDK before they expire.

use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use std::time::Duration;

/// Terraform's `assume_role { role_arn, session_name, external_id, duration }`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration: Option<Duration>,
}

/// The authentication part of a block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Auth {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub shared_config_files: Vec<String>,
    pub shared_credentials_files: Vec<String>,
    /// Retries after the first attempt (Terraform's `max_retries`); None: the default.
    pub max_retries: Option<u32>,
    pub assume_role: Option<AssumeRole>,
    /// Where `sts:AssumeRole` goes (`endpoints { sts = ... }`), else the SDK's default.
    pub sts_endpoint: Option<String>,
}

/// A short description for the credential provider's name (shows in SDK errors).
const STATIC: &str = "hubctl-static-keys";

/// Attempts per call without `max_retries`: `AWS_MAX_ATTEMPTS`, as the Terraform provider
/// and the SDKs read it, else 5.
fn env_attempts() -> u32 {
    std::env::var("AWS_MAX_ATTEMPTS")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(5)
}

impl Auth {
    /// The shared SDK configuration. `AssumeRole` is lazy: a role that cannot be assumed
    /// fails the first call, with the STS error in that call's message.
    pub async fn sdk_config(&self) -> SdkConfig {
        let attempts = self
            .max_retries
            .map_or_else(env_attempts, |r| r.saturating_add(1));
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            // Adaptive: throttling answers also slow this client's later requests down, so a
            // wide apply backs off as a whole instead of each call retrying on its own.
            .retry_config(RetryConfig::adaptive().with_max_attempts(attempts))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(60))
                    .build(),
            );
        if let Some(r) = &self.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(p) = &self.profile {
            loader = loader.profile_name(p);
        }
        if !self.shared_config_files.is_empty() || !self.shared_credentials_files.is_empty() {
            let home = std::env::var("HOME").ok();
            let expand_home = |f: &str| expand_home(f, home.as_deref());
            let mut files = EnvConfigFiles::builder();
            for f in &self.shared_config_files {
                files = files.with_file(EnvConfigFileKind::Config, expand_home(f));
            }
            for f in &self.shared_credentials_files {
                files = files.with_file(EnvConfigFileKind::Credentials, expand_home(f));
            }
            loader = loader.profile_files(files.build());
        }
        if let (Some(ak), Some(sk)) = (&self.access_key, &self.secret_key) {
            loader = loader.credentials_provider(Credentials::new(
                ak.clone(),
                sk.clone(),
                self.token.clone(),
                None,
                STATIC,
            ));
        }
        let base = loader.load().await;
        let Some(role) = &self.assume_role else {
            return base;
        };
        let mut sts_conf = base.to_builder();
        if let Some(url) = &self.sts_endpoint {
            sts_conf = sts_conf.endpoint_url(url);
        }
        let mut provider = AssumeRoleProvider::builder(role.role_arn.clone())
            .session_name(
                role.session_name
                    .clone()
                    .unwrap_or_else(|| "hubctl".to_string()),
            )
            .configure(&sts_conf.build());
        if let Some(id) = &role.external_id {
            provider = provider.external_id(id.clone());
        }
        if let Some(d) = role.duration {
            provider = provider.session_length(d);
        }
        let assumed = provider.build().await;
        base.to_builder()
            .credentials_provider(SharedCredentialsProvider::new(assumed))
            .build()
    }
}

/// A list-of-strings argument (`shared_config_files`); a single string counts as a list of one.
pub(crate) fn strings(v: Option<&hubctl_core::lang::Value>) -> Vec<String> {
    use hubctl_core::lang::Value;
    match v.map(Value::peel) {
        Some(Value::List(xs) | Value::Tuple(xs) | Value::Set(xs)) => xs
            .iter()
            .filter_map(|x| x.peel().as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// `~/...` as Terraform expands it in file paths.
fn expand_home(path: &str, home: Option<&str>) -> String {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}

/// Terraform's duration strings (`"1h"`, `"15m"`, `"900s"`), for messages a sentence.
pub fn parse_duration(s: &str, what: &str) -> Result<Duration, String> {
    humantime::parse_duration(s)
        .map_err(|e| format!("{what} {s:?} is not a duration like \"1h\" or \"15m\" ({e})"))
}

/// Region prefixes of the AWS partitions (aws, aws-cn, aws-us-gov, the ISO partitions and
/// aws-eusc), longest first: the SDK's partition table matches `<prefix>-<word>-<number>`.
const REGION_PREFIXES: &[&str] = &[
    "us-gov", "us-isob", "us-isof", "us-iso", "eu-isoe", "eusc-de", "us", "eu", "ap", "sa", "ca",
    "me", "af", "il", "mx", "cn",
];

/// Whether a region name is one of a known AWS partition's, as Terraform checks unless
/// `skip_region_validation` is set (so `us-east-1x` or `useast1` fail before any call).
pub fn valid_region(region: &str) -> bool {
    let Some((rest, number)) = region.rsplit_once('-') else {
        return false;
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    REGION_PREFIXES.iter().any(|p| {
        rest.strip_prefix(p)
            .and_then(|r| r.strip_prefix('-'))
            .is_some_and(|word| {
                !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
    })
}

/// The error for a region [`valid_region`] refuses.
pub fn invalid_region(region: &str) -> String {
    format!(
        "Invalid AWS Region: {region}. Use a region name such as \"us-east-1\", or set \
         skip_region_validation = true for a region AWS does not know (an S3-compatible store \
         or an emulator)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn retries_are_adaptive_with_terraforms_max_retries() {
        let auth = Auth {
            region: Some("us-east-1".into()),
            access_key: Some("test".into()),
            secret_key: Some("test".into()),
            max_retries: Some(9),
            ..Auth::default()
        };
        let sdk = auth.sdk_config().await;
        let retry = sdk.retry_config().expect("a retry configuration");
        assert_eq!(retry.mode(), aws_config::retry::RetryMode::Adaptive);
        assert_eq!(retry.max_attempts(), 10);
    }

    #[test]
    fn regions_are_checked_against_the_partitions() {
        for r in [
            "us-east-1",
            "eu-central-2",
            "ap-southeast-5",
            "us-gov-west-1",
            "cn-northwest-1",
            "us-isob-east-1",
            "il-central-1",
        ] {
            assert!(valid_region(r), "{r}");
        }
        for r in [
            "useast1",
            "us-east",
            "us-east-1a",
            "US-EAST-1",
            "xx-east-1",
            "us--1",
            "",
        ] {
            assert!(!valid_region(r), "{r}");
        }
    }

    #[test]
    fn durations_read_like_terraforms() {
        assert_eq!(
            parse_duration("1h", "duration"),
            Ok(Duration::from_secs(3600))
        );
        assert_eq!(
            parse_duration("15m", "duration"),
            Ok(Duration::from_secs(900))
        );
        let err = parse_duration("soon", "assume_role.duration").unwrap_err();
        assert!(err.contains("assume_role.duration \"soon\""), "{err}");
    }

    #[test]
    fn home_is_expanded_only_at_the_start() {
        let home = Some("/home/ops");
        assert_eq!(expand_home("~/.aws/config", home), "/home/ops/.aws/config");
        assert_eq!(expand_home("/etc/aws/config", home), "/etc/aws/config");
        assert_eq!(expand_home("~/.aws/config", None), "~/.aws/config");
    }
}
