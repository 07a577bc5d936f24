//! `terraform { backend "s3" { ... } }` → [`S3Settings`], accepting Terraform's names
//! (old and new) so existing backend blocks work unchanged.

use hubctl_core::lang::Value;
use std::collections::BTreeMap;

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
    "workspace_key_prefix",
];

impl S3Settings {
    /// Reads the evaluated backend arguments; the error is a sentence for a diagnostic.
    pub fn from_config(cfg: &BTreeMap<String, Value>) -> Result<S3Settings, String> {
        if let Some(unknown) = cfg.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(format!(
                "The backend \"s3\" has no argument \"{unknown}\"; it accepts {}.",
                KNOWN.join(", ")
            ));
        }
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
            s(k).ok_or_else(|| format!("The backend \"s3\" needs \"{k}\" (a non-empty string)."))
        };
        let out = S3Settings {
            bucket: required("bucket")?,
            key: required("key")?,
            region: s("region"),
            dynamodb_table: s("dynamodb_table"),
            kms_key_id: s("kms_key_id"),
            fallback_kms_key_id: s("fallback_kms_key_id"),
            encrypt: b("encrypt").unwrap_or(true),
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
        };
        if out.key.starts_with('/') || out.key.ends_with('/') {
            return Err(format!(
                "The backend \"s3\" key {:?} must not start or end with \"/\".",
                out.key
            ));
        }
        if out.encrypt && out.kms_key_id.is_none() {
            return Err(
                "The backend \"s3\" encrypts the state client-side and needs \"kms_key_id\" \
                 (for example \"alias/hub-state\"); set encrypt = false to store it in \
                 plaintext (not recommended)."
                    .to_string(),
            );
        }
        Ok(out)
    }

    /// `s3://bucket/key`: what the envelope is bound to, and what messages say.
    pub fn location(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }

    /// Terraform's lock item id.
    pub fn lock_id(&self) -> String {
        format!("{}/{}", self.bucket, self.key)
    }
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
    fn refuses_missing_and_unknown_arguments_and_keyless_encryption() {
        let err = S3Settings::from_config(&cfg(&[("key", s("k"))])).unwrap_err();
        assert!(err.contains("\"bucket\""), "{err}");
        let err =
            S3Settings::from_config(&cfg(&[("bucket", s("b")), ("key", s("k"))])).unwrap_err();
        assert!(err.contains("kms_key_id"), "{err}");
        let err = S3Settings::from_config(&cfg(&[
            ("bucket", s("b")),
            ("key", s("k")),
            ("bukket", s("x")),
        ]))
        .unwrap_err();
        assert!(err.contains("bukket"), "{err}");
        let plain = S3Settings::from_config(&cfg(&[
            ("bucket", s("b")),
            ("key", s("k")),
            ("encrypt", Value::Bool(false)),
        ]))
        .unwrap();
        assert!(!plain.encrypt);
    }
}
