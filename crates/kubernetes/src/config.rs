//! The `provider "kubernetes"` (and `provider "kubectl"`) block → one [`Kube`] client.
//!
//! Arguments are the Terraform provider's: `host`, `cluster_ca_certificate`, `token`,
//! `client_certificate`/`client_key`, `insecure`, `config_path`/`config_paths` with
//! `config_context`, and an `exec {}` block. A kubeconfig is read first and the explicit
//! arguments override it, as in the Terraform provider; the environment variables
//! `KUBE_HOST`, `KUBE_TOKEN`, `KUBE_CLUSTER_CA_CERT_DATA`, `KUBE_INSECURE`, `KUBE_CONFIG_PATH`
//! and `KUBE_CTX` stand in for unset arguments. The block is evaluated when its values are
//! known: fed by a cluster created in the same apply, the engine configures it during apply.

use crate::client::{Auth, Kube};
use crate::exec::{ExecConfig, ExecToken};
use crate::kubeconfig;
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, BlockSchema, Nesting, ProviderError, Schema};

/// The provider block's schema (shared by `kubernetes` and `kubectl`).
pub fn schema() -> Schema {
    let str_list = || Type::List(Box::new(Type::String));
    let mut s = Schema::new();
    for n in [
        "host",
        "cluster_ca_certificate",
        "client_certificate",
        "config_path",
    ] {
        s = s.attr(n, AttrSchema::optional(Type::String));
    }
    for n in [
        "config_context",
        "config_context_cluster",
        "config_context_auth_info",
    ] {
        s = s.attr(n, AttrSchema::optional(Type::String));
    }
    s.attr("token", AttrSchema::optional(Type::String).sensitive())
        .attr("client_key", AttrSchema::optional(Type::String).sensitive())
        .attr("insecure", AttrSchema::optional(Type::Bool))
        .attr("config_paths", AttrSchema::optional(str_list()))
        .block(
            "exec",
            BlockSchema {
                nesting: Nesting::List,
                min_items: 0,
                max_items: Some(1),
                force_new: false,
                schema: Schema::new()
                    .attr("api_version", AttrSchema::required(Type::String))
                    .attr("command", AttrSchema::required(Type::String))
                    .attr("args", AttrSchema::optional(str_list()))
                    .attr(
                        "env",
                        AttrSchema::optional(Type::Map(Box::new(Type::String))),
                    ),
            },
        )
}

/// Everything needed to connect, after the kubeconfig and the block are merged.
#[derive(Default, Debug)]
pub struct Settings {
    pub host: Option<String>,
    pub ca_pem: Option<String>,
    pub client_cert_pem: Option<String>,
    pub client_key_pem: Option<String>,
    pub insecure: bool,
    pub token: Option<String>,
    pub exec: Option<ExecConfig>,
    pub namespace: Option<String>,
}

fn string(v: &Value, k: &str) -> Option<String> {
    v.get_attr(k)
        .and_then(|x| x.peel().as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(|x| x.peel().as_seq())
        .map(|xs| {
            xs.iter()
                .filter_map(|x| x.peel().as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|s| !s.is_empty())
}

fn exec_block(config: &Value) -> Option<ExecConfig> {
    let b = config.get_attr("exec")?.peel().as_seq()?.first()?.clone();
    let env = b
        .get_attr("env")
        .and_then(|e| e.peel().as_map())
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.peel().as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Some(ExecConfig {
        api_version: string(&b, "api_version").unwrap_or_default(),
        command: string(&b, "command").unwrap_or_default(),
        args: strings(b.get_attr("args")),
        env,
    })
}

/// The kubeconfig (if any is named), then the block's arguments and `KUBE_*` over it.
/// `kubectl` (the community provider's `load_config_file = true` default) falls back to
/// `$KUBECONFIG`, then `~/.kube/config`, when neither a path nor a host is given.
pub fn settings(config: &Value, kubectl: bool) -> Result<Settings, String> {
    let mut paths = strings(config.get_attr("config_paths"));
    paths.extend(string(config, "config_path"));
    if paths.is_empty() {
        paths.extend(env("KUBE_CONFIG_PATH"));
    }
    if paths.is_empty()
        && kubectl
        && string(config, "host")
            .or_else(|| env("KUBE_HOST"))
            .is_none()
    {
        let home = std::env::var("HOME").map(|h| format!("{h}/.kube/config"));
        paths.extend(
            env("KUBECONFIG")
                .or(home.ok())
                .filter(|p| std::path::Path::new(p).exists()),
        );
    }
    let mut s = match paths.first() {
        Some(path) => {
            let context = string(config, "config_context").or_else(|| env("KUBE_CTX"));
            kubeconfig::load(
                path,
                context.as_deref(),
                string(config, "config_context_cluster").as_deref(),
                string(config, "config_context_auth_info").as_deref(),
            )?
        }
        None => Settings::default(),
    };
    let pick = |arg: &str, var: &str| string(config, arg).or_else(|| env(var));
    if let Some(h) = pick("host", "KUBE_HOST") {
        s.host = Some(h);
    }
    if let Some(ca) = pick("cluster_ca_certificate", "KUBE_CLUSTER_CA_CERT_DATA") {
        s.ca_pem = Some(ca);
    }
    if let Some(c) = pick("client_certificate", "KUBE_CLIENT_CERT_DATA") {
        s.client_cert_pem = Some(c);
    }
    if let Some(k) = pick("client_key", "KUBE_CLIENT_KEY_DATA") {
        s.client_key_pem = Some(k);
    }
    if let Some(t) = pick("token", "KUBE_TOKEN") {
        s.token = Some(t);
    }
    match config.get_attr("insecure").and_then(|x| x.peel().as_bool()) {
        Some(b) => s.insecure = b,
        None if env("KUBE_INSECURE").is_some_and(|v| v == "true" || v == "1") => s.insecure = true,
        None => {}
    }
    if let Some(e) = exec_block(config) {
        s.exec = Some(e);
    }
    Ok(s)
}

/// `host` as a base URL: a bare host name or address means HTTPS, as in the Terraform provider.
fn base_url(host: &str) -> String {
    if host.starts_with("https://") || host.starts_with("http://") {
        host.to_string()
    } else {
        format!("https://{host}")
    }
}

/// Builds the client: runs the `exec` plugin once (its certificate goes into TLS), then
/// sets up TLS and authentication.
pub async fn connect(s: Settings) -> Result<Kube, ProviderError> {
    let host = s.host.clone().ok_or_else(|| {
        ProviderError::msg("no cluster to talk to: set `host` (with `cluster_ca_certificate` and `token`) or `config_path` in the provider block")
    })?;
    let mut tls = crate::tls::TlsInput {
        ca_pem: s.ca_pem.map(String::into_bytes),
        client_cert_pem: s.client_cert_pem.map(String::into_bytes),
        client_key_pem: s.client_key_pem.map(String::into_bytes),
        insecure: s.insecure,
    };
    let auth = match (s.exec, s.token) {
        (Some(exec), _) => {
            let first: ExecToken = crate::exec::run(&exec).await.map_err(ProviderError::msg)?;
            if let (Some(c), Some(k)) = (&first.client_cert_pem, &first.client_key_pem) {
                tls.client_cert_pem = Some(c.clone().into_bytes());
                tls.client_key_pem = Some(k.clone().into_bytes());
            }
            match first.token.is_some() {
                true => Auth::Exec(exec, tokio::sync::Mutex::new(first)),
                false => Auth::None,
            }
        }
        (None, Some(t)) => Auth::Token(t),
        (None, None) => Auth::None,
    };
    let tls = crate::tls::client_config(&tls).map_err(ProviderError::msg)?;
    let ns = s.namespace.unwrap_or_else(|| "default".to_string());
    Ok(Kube::new(base_url(&host), tls, auth, ns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_override_and_hosts_get_https() {
        let cfg = Value::map([
            ("host", Value::from("10.0.0.1:6443")),
            ("token", Value::from("abc").sensitive()),
            ("insecure", Value::from(true)),
        ]);
        let s = settings(&cfg, false).unwrap();
        assert_eq!(s.token.as_deref(), Some("abc"));
        assert!(s.insecure);
        assert_eq!(
            base_url(s.host.as_deref().unwrap()),
            "https://10.0.0.1:6443"
        );
        assert_eq!(base_url("http://x"), "http://x");
    }

    #[test]
    fn exec_block_is_read() {
        let exec = Value::map([
            (
                "api_version",
                Value::from("client.authentication.k8s.io/v1beta1"),
            ),
            ("command", Value::from("aws")),
            ("args", Value::Tuple(vec!["eks".into(), "get-token".into()])),
            ("env", Value::map([("AWS_PROFILE", Value::from("hub"))])),
        ]);
        let cfg = Value::map([("exec", Value::Tuple(vec![exec]))]);
        let e = settings(&cfg, false).unwrap().exec.unwrap();
        assert_eq!(e.command, "aws");
        assert_eq!(e.args, ["eks", "get-token"]);
        assert_eq!(e.env, [("AWS_PROFILE".to_string(), "hub".to_string())]);
    }
}
