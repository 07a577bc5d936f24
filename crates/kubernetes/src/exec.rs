//! `exec {}` credentials, as kubectl runs them: the command is started with
//! `KUBERNETES_EXEC_INFO` set, and its standard output is an `ExecCredential` whose status
//! holds a bearer token (renewed after `expirationTimestamp`) or a client certificate.

use serde_json::{json, Value as J};
use std::time::{Duration, SystemTime};

#[derive(Clone, Debug, Default)]
pub struct ExecConfig {
    pub api_version: String,
    pub command: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// What one run of the plugin gave.
#[derive(Clone, Debug, Default)]
pub struct ExecToken {
    pub token: Option<String>,
    pub client_cert_pem: Option<String>,
    pub client_key_pem: Option<String>,
    pub expires: Option<SystemTime>,
}

impl ExecToken {
    /// Whether it must be renewed before the next request (10 s early, as clocks drift).
    pub fn expired(&self) -> bool {
        self.token.is_none()
            || self
                .expires
                .is_some_and(|t| SystemTime::now() + Duration::from_secs(10) >= t)
    }
}

/// Runs the plugin and reads its `ExecCredential`.
pub async fn run(cfg: &ExecConfig) -> Result<ExecToken, String> {
    let cfg = cfg.clone();
    tokio::task::spawn_blocking(move || run_blocking(&cfg))
        .await
        .map_err(|e| format!("exec plugin: {e}"))?
}

fn run_blocking(cfg: &ExecConfig) -> Result<ExecToken, String> {
    let info = json!({
        "apiVersion": cfg.api_version,
        "kind": "ExecCredential",
        "spec": {"interactive": false},
    });
    let out = std::process::Command::new(&cfg.command)
        .args(&cfg.args)
        .envs(cfg.env.iter().map(|(k, v)| (k, v)))
        .env("KUBERNETES_EXEC_INFO", info.to_string())
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("exec plugin {:?} could not be started: {e}", cfg.command))?;
    if !out.status.success() {
        return Err(format!(
            "exec plugin {:?} failed ({}): {}",
            cfg.command,
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    parse(&out.stdout).map_err(|e| format!("exec plugin {:?}: {e}", cfg.command))
}

/// The credential in an `ExecCredential` document.
pub fn parse(stdout: &[u8]) -> Result<ExecToken, String> {
    let j: J = serde_json::from_slice(stdout)
        .map_err(|e| format!("its output is not an ExecCredential (JSON): {e}"))?;
    if j.get("kind").and_then(J::as_str) != Some("ExecCredential") {
        return Err("its output is not an ExecCredential (kind is missing or wrong)".into());
    }
    let status = j.get("status").cloned().unwrap_or(J::Null);
    let s = |k: &str| status.get(k).and_then(J::as_str).map(str::to_string);
    let expires = match s("expirationTimestamp") {
        None => None,
        Some(t) => {
            let ts: jiff::Timestamp = t
                .parse()
                .map_err(|e| format!("bad status.expirationTimestamp {t:?}: {e}"))?;
            Some(SystemTime::from(ts))
        }
    };
    let cred = ExecToken {
        token: s("token"),
        client_cert_pem: s("clientCertificateData"),
        client_key_pem: s("clientKeyData"),
        expires,
    };
    if cred.token.is_none() && cred.client_cert_pem.is_none() {
        return Err(
            "the ExecCredential has neither status.token nor status.clientCertificateData".into(),
        );
    }
    Ok(cred)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_token_and_expiry() {
        let c = parse(br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"k8s-aws-v1.abc","expirationTimestamp":"2000-01-01T00:00:00Z"}}"#).unwrap();
        assert_eq!(c.token.as_deref(), Some("k8s-aws-v1.abc"));
        assert!(c.expired(), "a token that expired in 2000 must be renewed");
        let c = parse(br#"{"kind":"ExecCredential","status":{"token":"t"}}"#).unwrap();
        assert!(!c.expired(), "a token without expiry stays");
    }

    #[test]
    fn refuses_other_output() {
        assert!(parse(b"hello")
            .unwrap_err()
            .contains("not an ExecCredential"));
        assert!(parse(br#"{"kind":"ExecCredential","status":{}}"#)
            .unwrap_err()
            .contains("neither"));
    }

    #[tokio::test]
    async fn runs_the_command_with_exec_info() {
        let cfg = ExecConfig {
            api_version: "client.authentication.k8s.io/v1beta1".into(),
            command: "sh".into(),
            args: vec![
                "-c".into(),
                r#"printf '{"kind":"ExecCredential","status":{"token":"%s"}}' "$TOKEN_FROM_ENV""#
                    .into(),
            ],
            env: vec![("TOKEN_FROM_ENV".into(), "from-env".into())],
        };
        let c = run(&cfg).await.unwrap();
        assert_eq!(c.token.as_deref(), Some("from-env"));
        let bad = ExecConfig {
            command: "false".into(),
            ..cfg
        };
        assert!(run(&bad).await.unwrap_err().contains("failed"));
    }
}
