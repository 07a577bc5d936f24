//! `terraform { backend "s3" { ... } }` → [`S3Settings`], accepting Terraform's names
//! (old and new) so existing backend blocks work unchanged.

use crate::auth::{invalid_region, parse_duration, strings, valid_region, AssumeRole, Auth};
use hubctl_core::lang::Value;
use hubctl_core::state::lease::parse_lock_ttl;
use std::collections::BTreeMap;

/// The KMS key of a block with `encrypt = true` and no `kms_key_id`: hubctl's own, which
/// `hubctl init --bootstrap` creates (Terraform would use SSE-S3; hubctl encrypts the state
/// client-side, which needs a KMS key).
pub const MANAGED_KMS_KEY: &str = "alias/hubctl-state";

/// A problem with the backend block, and the argument it is about (`"endpoints.iam"`), so
/// the diagnostic can point at it; `None`: the block as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsError {
    pub arg: Option<String>,
    pub message: String,
}

impl SettingsError {
    fn at(arg: &str, message: impl Into<String>) -> SettingsError {
        SettingsError {
            arg: Some(arg.to_string()),
            message: message.into(),
        }
    }

    fn block(message: impl Into<String>) -> SettingsError {
        SettingsError {
            arg: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The backend block, checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct S3Settings {
    pub bucket: String,
    pub key: String,
    pub region: Option<String>,
    pub dynamodb_table: Option<String>,
    /// Used for SSE-KMS and for the client-side envelope (`alias/...`, key id or ARN).
    pub kms_key_id: Option<String>,
    /// Also tried when opening (the key before a rotation).
    pub fallback_kms_key_id: Option<String>,
    pub encrypt: bool,
    pub use_lockfile: bool,
    pub endpoint_s3: Option<String>,
    pub endpoint_dynamodb: Option<String>,
    pub endpoint_kms: Option<String>,
    pub skip_credentials_validation: bool,
    pub use_path_style: bool,
    /// Static credentials (Terraform's `access_key` / `secret_key`); else the SDK's chain.
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub profile: Option<String>,
    /// Session token of static credentials.
    pub token: Option<String>,
    pub shared_config_files: Vec<String>,
    pub shared_credentials_files: Vec<String>,
    pub max_retries: Option<u32>,
    /// `assume_role = { role_arn = ... }` (or the older top-level `role_arn`).
    pub assume_role: Option<AssumeRole>,
    pub endpoint_sts: Option<String>,
    /// Send S3 checksums only where an operation requires them (S3-compatible stores).
    pub skip_s3_checksum: bool,
    /// How long the lock's lease lasts unrenewed (`lock_ttl = "60s"`); None: from
    /// `$HUBCTL_LOCK_TTL` or 60 s.
    pub lock_ttl: Option<std::time::Duration>,
}

const KNOWN: &[&str] = &[
    "bucket",
    "key",
    "region",
    "dynamodb_table",
    "kms_key_id",
    "fallback_kms_key_id",
    "encrypt",
    "use_lockfile",
    "endpoints",
    "endpoint",
    "dynamodb_endpoint",
    "kms_endpoint",
    "skip_credentials_validation",
    "skip_region_validation",
    "skip_metadata_api_check",
    "skip_requesting_account_id",
    "force_path_style",
    "use_path_style",
    "profile",
    "access_key",
    "secret_key",
    "token",
    "shared_config_files",
    "shared_credentials_files",
    "max_retries",
    "assume_role",
    "role_arn",
    "session_name",
    "external_id",
    "sts_endpoint",
    "skip_s3_checksum",
    "lock_ttl",
];

/// Terraform arguments hubctl knows but cannot honour, with what to do instead.
const REFUSED: &[(&str, &str)] = &[
    (
        "workspace_key_prefix",
        "hubctl has only the default workspace, whose state is at \"key\"; Terraform uses \
         workspace_key_prefix only for other workspaces (<prefix>/<workspace>/<key>). Remove \
         it; to use a non-default Terraform workspace's state, set key to that full path.",
    ),
    (
        "iam_endpoint",
        "hubctl's s3 backend makes no IAM calls, so an IAM endpoint would never be used; \
         remove it (it is the deprecated form of endpoints.iam).",
    ),
];

/// The services of `endpoints = { ... }` the backend calls.
const ENDPOINTS: &[&str] = &["s3", "dynamodb", "kms", "sts"];

/// Arguments of Terraform's s3 backend that hubctl does not implement: named as such, not
/// as typos, so a Terraform user knows what to remove or wait for.
const TERRAFORM_ONLY: &[&str] = &[
    "acl",
    "sse_customer_key",
    "allowed_account_ids",
    "forbidden_account_ids",
    "assume_role_with_web_identity",
    "custom_ca_bundle",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "insecure",
    "retry_mode",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "sts_region",
];

impl S3Settings {
    /// Reads the evaluated backend arguments; the error is a sentence for a diagnostic,
    /// about the argument it names.
    pub fn from_config(cfg: &BTreeMap<String, Value>) -> Result<S3Settings, SettingsError> {
        check_names(cfg)?;
        let s = |k: &str| {
            cfg.get(k)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let b = |k: &str| cfg.get(k).and_then(Value::as_bool);
        let endpoints = cfg.get("endpoints");
        let ep = |svc: &str| {
            endpoints
                .and_then(|e| e.get_attr(svc))
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let required = |k: &str| {
            s(k).ok_or_else(|| {
                SettingsError::block(format!(
                    "The backend \"s3\" needs \"{k}\" (a non-empty string)."
                ))
            })
        };
        let encrypt = b("encrypt").unwrap_or(true);
        let out = S3Settings {
            bucket: required("bucket")?,
            key: required("key")?,
            region: s("region"),
            dynamodb_table: s("dynamodb_table"),
            kms_key_id: s("kms_key_id").or_else(|| encrypt.then(|| MANAGED_KMS_KEY.to_string())),
            fallback_kms_key_id: s("fallback_kms_key_id"),
            encrypt,
            use_lockfile: b("use_lockfile").unwrap_or(false),
            endpoint_s3: ep("s3").or_else(|| s("endpoint")),
            endpoint_dynamodb: ep("dynamodb").or_else(|| s("dynamodb_endpoint")),
            endpoint_kms: ep("kms").or_else(|| s("kms_endpoint")),
            skip_credentials_validation: b("skip_credentials_validation").unwrap_or(false),
            use_path_style: b("use_path_style")
                .or_else(|| b("force_path_style"))
                .unwrap_or(false),
            access_key: s("access_key"),
            secret_key: s("secret_key"),
            profile: s("profile"),
            token: s("token"),
            shared_config_files: strings(cfg.get("shared_config_files")),
            shared_credentials_files: strings(cfg.get("shared_credentials_files")),
            max_retries: cfg
                .get("max_retries")
                .and_then(Value::as_number)
                .map(|n| n.max(0.0) as u32),
            assume_role: assume_role(cfg).map_err(|e| SettingsError::at("assume_role", e))?,
            endpoint_sts: ep("sts").or_else(|| s("sts_endpoint")),
            skip_s3_checksum: b("skip_s3_checksum").unwrap_or(false),
            lock_ttl: s("lock_ttl")
                .map(|t| parse_lock_ttl(&t, "The backend \"s3\" lock_ttl"))
                .transpose()
                .map_err(|e| SettingsError::at("lock_ttl", e))?,
        };
        if out.key.starts_with('/') || out.key.ends_with('/') {
            return Err(SettingsError::at(
                "key",
                format!(
                    "The backend \"s3\" key {:?} must not start or end with \"/\".",
                    out.key
                ),
            ));
        }
        if let Some(r) = out.region.as_deref() {
            if !b("skip_region_validation").unwrap_or(false) && !valid_region(r) {
                return Err(SettingsError::at("region", invalid_region(r)));
            }
        }
        Ok(out)
    }

    /// `s3://bucket/key`: what the envelope is bound to, and what messages say.
    pub fn location(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }

    /// The SDK configuration inputs of this block.
    pub fn auth(&self) -> Auth {
        Auth {
            region: self.region.clone(),
            profile: self.profile.clone(),
            access_key: self.access_key.clone(),
            secret_key: self.secret_key.clone(),
            token: self.token.clone(),
            shared_config_files: self.shared_config_files.clone(),
            shared_credentials_files: self.shared_credentials_files.clone(),
            max_retries: self.max_retries,
            assume_role: self.assume_role.clone(),
            sts_endpoint: self.endpoint_sts.clone(),
        }
    }

    /// Terraform's lock item id.
    pub fn lock_id(&self) -> String {
        format!("{}/{}", self.bucket, self.key)
    }
}

/// Every argument is one hubctl honours; Terraform's others are refused by name, with why
/// where hubctl knows better than "not yet", and typos get a did-you-mean.
fn check_names(cfg: &BTreeMap<String, Value>) -> Result<(), SettingsError> {
    for name in cfg.keys().map(String::as_str) {
        if let Some((_, why)) = REFUSED.iter().find(|(n, _)| *n == name) {
            return Err(SettingsError::at(
                name,
                format!("The backend \"s3\" argument \"{name}\" is not supported: {why}"),
            ));
        }
        if KNOWN.contains(&name) {
            continue;
        }
        if TERRAFORM_ONLY.contains(&name) {
            return Err(SettingsError::at(
                name,
                format!(
                    "The argument \"{name}\" of Terraform's s3 backend is not supported by \
                     hubctl yet; remove it (hubctl accepts {}).",
                    KNOWN.join(", ")
                ),
            ));
        }
        let hint = hubctl_core::lang::suggest::did_you_mean(name, KNOWN.iter().copied())
            .map(|k| format!(" Did you mean \"{k}\"?"))
            .unwrap_or_default();
        return Err(SettingsError::at(
            name,
            format!(
                "The backend \"s3\" has no argument \"{name}\".{hint} It accepts {}.",
                KNOWN.join(", ")
            ),
        ));
    }
    check_endpoints(cfg.get("endpoints"))
}

/// `endpoints = { ... }` names only services the backend calls.
fn check_endpoints(endpoints: Option<&Value>) -> Result<(), SettingsError> {
    let Some(map) = endpoints.and_then(Value::as_map) else {
        return Ok(());
    };
    for svc in map.keys().map(String::as_str) {
        if ENDPOINTS.contains(&svc) {
            continue;
        }
        let at = format!("endpoints.{svc}");
        let why = match svc {
            "iam" => "hubctl's s3 backend makes no IAM calls, so an IAM endpoint would never \
                      be used; remove it."
                .to_string(),
            "sso" => "hubctl does not support SSO credentials in the backend block yet; \
                      remove it."
                .to_string(),
            _ => {
                let hint = hubctl_core::lang::suggest::did_you_mean(svc, ENDPOINTS.iter().copied())
                    .map(|k| format!(" Did you mean \"{k}\"?"))
                    .unwrap_or_default();
                format!("the backend calls only {}.{hint}", ENDPOINTS.join(", "))
            }
        };
        return Err(SettingsError::at(
            &at,
            format!("The backend \"s3\" endpoint \"{svc}\" is not supported: {why}"),
        ));
    }
    Ok(())
}

/// `assume_role = { role_arn, session_name, external_id, duration }` (Terraform 1.6+), or
/// the older top-level `role_arn` / `session_name` / `external_id`.
fn assume_role(cfg: &BTreeMap<String, Value>) -> Result<Option<AssumeRole>, String> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    if let Some(obj) = cfg.get("assume_role").filter(|v| !v.is_null()) {
        let role_arn = text(obj.get_attr("role_arn")).ok_or(
            "The backend \"s3\" assume_role needs role_arn (the ARN of the role to assume).",
        )?;
        return Ok(Some(AssumeRole {
            role_arn,
            session_name: text(obj.get_attr("session_name")),
            external_id: text(obj.get_attr("external_id")),
            duration: text(obj.get_attr("duration"))
                .map(|d| parse_duration(&d, "The backend \"s3\" assume_role.duration"))
                .transpose()?,
        }));
    }
    Ok(text(cfg.get("role_arn")).map(|role_arn| AssumeRole {
        role_arn,
        session_name: text(cfg.get("session_name")),
        external_id: text(cfg.get("external_id")),
        duration: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    #[test]
    fn reads_terraform_arguments_with_defaults() {
        let c = cfg(&[
            ("bucket", s("b")),
            ("key", s("hub/s.hubstate")),
            ("kms_key_id", s("alias/k")),
            ("dynamodb_table", s("locks")),
            ("endpoint", s("http://127.0.0.1:1")),
            ("force_path_style", Value::Bool(true)),
        ]);
        let st = S3Settings::from_config(&c).unwrap();
        assert!(st.encrypt && !st.use_lockfile && st.use_path_style);
        assert_eq!(st.endpoint_s3.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(st.location(), "s3://b/hub/s.hubstate");
        assert_eq!(st.lock_id(), "b/hub/s.hubstate");
    }

    #[test]
    fn refuses_missing_and_unknown_arguments_and_keyless_encryption_uses_hubctls_key() {
        let err = S3Settings::from_config(&cfg(&[("key", s("k"))])).unwrap_err();
        assert!(
            err.message.contains("\"bucket\"") && err.arg.is_none(),
            "{err}"
        );
        let keyless =
            S3Settings::from_config(&cfg(&[("bucket", s("b")), ("key", s("k"))])).unwrap();
        assert!(keyless.encrypt);
        assert_eq!(keyless.kms_key_id.as_deref(), Some(MANAGED_KMS_KEY));
        let err = S3Settings::from_config(&cfg(&[
            ("bucket", s("b")),
            ("key", s("k")),
            ("bukket", s("x")),
        ]))
        .unwrap_err();
        assert_eq!(err.arg.as_deref(), Some("bukket"), "{err}");
        let plain = S3Settings::from_config(&cfg(&[
            ("bucket", s("b")),
            ("key", s("k")),
            ("encrypt", Value::Bool(false)),
        ]))
        .unwrap();
        assert!(!plain.encrypt && plain.kms_key_id.is_none());
    }

    #[test]
    fn unusable_arguments_are_refused_at_their_name() {
        let refused = |k: &str, v: Value| {
            let mut c = cfg(&[("bucket", s("b")), ("key", s("k"))]);
            c.insert(k.into(), v);
            S3Settings::from_config(&c).unwrap_err()
        };
        let err = refused("workspace_key_prefix", s("envs"));
        assert_eq!(err.arg.as_deref(), Some("workspace_key_prefix"));
        assert!(err.message.contains("only the default workspace"), "{err}");
        let err = refused("iam_endpoint", s("http://127.0.0.1:1"));
        assert_eq!(err.arg.as_deref(), Some("iam_endpoint"));
        assert!(err.message.contains("no IAM calls"), "{err}");
        let err = refused("endpoints", Value::map([("iam", s("http://127.0.0.1:1"))]));
        assert_eq!(err.arg.as_deref(), Some("endpoints.iam"), "{err}");
        let err = refused("endpoints", Value::map([("dynamodbb", s("http://x"))]));
        assert!(err.message.contains("Did you mean \"dynamodb\"?"), "{err}");
        let err = refused("insecure", Value::Bool(true));
        assert_eq!(err.arg.as_deref(), Some("insecure"));
        let err = refused("region", s("us-east-1a"));
        assert_eq!(err.arg.as_deref(), Some("region"));
        assert!(
            err.message.contains("Invalid AWS Region: us-east-1a"),
            "{err}"
        );
        let mut c = cfg(&[("bucket", s("b")), ("key", s("k")), ("region", s("garage"))]);
        c.insert("skip_region_validation".into(), Value::Bool(true));
        assert_eq!(
            S3Settings::from_config(&c).unwrap().region.as_deref(),
            Some("garage")
        );
    }

    #[test]
    fn reads_assume_role_in_both_of_terraforms_spellings() {
        let base = [
            ("bucket", s("b")),
            ("key", s("k")),
            ("encrypt", Value::Bool(false)),
        ];
        let mut c = cfg(&base);
        c.insert(
            "assume_role".into(),
            Value::map([
                ("role_arn", s("arn:aws:iam::123456789012:role/state")),
                ("session_name", s("ci")),
                ("duration", s("15m")),
            ]),
        );
        let role = S3Settings::from_config(&c).unwrap().assume_role.unwrap();
        assert_eq!(role.role_arn, "arn:aws:iam::123456789012:role/state");
        assert_eq!(role.session_name.as_deref(), Some("ci"));
        assert_eq!(role.duration, Some(std::time::Duration::from_secs(900)));

        let mut legacy = cfg(&base);
        legacy.insert("role_arn".into(), s("arn:aws:iam::1:role/r"));
        let st = S3Settings::from_config(&legacy).unwrap();
        assert_eq!(
            st.auth().assume_role.unwrap().role_arn,
            "arn:aws:iam::1:role/r"
        );

        let mut bad = cfg(&base);
        bad.insert("assume_role".into(), Value::map([("session_name", s("x"))]));
        let err = S3Settings::from_config(&bad).unwrap_err();
        assert!(err.message.contains("role_arn"), "{err}");
        assert_eq!(err.arg.as_deref(), Some("assume_role"));
    }

    #[test]
    fn terraform_only_arguments_and_typos_are_told_apart() {
        let base = [("bucket", s("b")), ("key", s("k"))];
        let mut c = cfg(&base);
        c.insert("acl".into(), s("private"));
        let err = S3Settings::from_config(&c).unwrap_err();
        assert!(
            err.message
                .contains("\"acl\" of Terraform's s3 backend is not supported"),
            "{err}"
        );
        let mut c = cfg(&base);
        c.insert("dynamodb_tabel".into(), s("locks"));
        let err = S3Settings::from_config(&c).unwrap_err();
        assert!(
            err.message.contains("Did you mean \"dynamodb_table\"?"),
            "{err}"
        );
    }
}
