//! Reads a kubeconfig file (`config_path`): the chosen context's cluster, user and namespace.
//! The YAML is read as `yamldecode` reads it; `*-data` fields are base64, the file fields are
//! paths relative to the kubeconfig's directory, as kubectl has them.

use crate::config::Settings;
use crate::exec::ExecConfig;
use base64::Engine;
use serde_json::Value as J;
use std::path::{Path, PathBuf};

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

fn named<'a>(doc: &'a J, list: &str, name: &str, what: &str) -> Result<&'a J, String> {
    doc.get(list)
        .and_then(J::as_array)
        .and_then(|xs| {
            xs.iter()
                .find(|x| x.get("name").and_then(J::as_str) == Some(name))
        })
        .and_then(|x| x.get(what))
        .ok_or_else(|| format!("the kubeconfig has no {what} named {name:?}"))
}

fn s(v: &J, k: &str) -> Option<String> {
    v.get(k)
        .and_then(J::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A `*-data` field (base64) or its file twin, as PEM text.
fn pem(v: &J, data: &str, file: &str, dir: &Path) -> Result<Option<String>, String> {
    if let Some(d) = s(v, data) {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(d.trim())
            .map_err(|e| format!("kubeconfig {data}: not base64: {e}"))?;
        return String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("kubeconfig {data}: not PEM text"));
    }
    match s(v, file) {
        None => Ok(None),
        Some(f) => std::fs::read_to_string(dir.join(expand_home(&f)))
            .map(Some)
            .map_err(|e| format!("kubeconfig {file} {f}: {e}")),
    }
}

fn exec(user: &J) -> Option<ExecConfig> {
    let e = user.get("exec")?;
    let args = e.get("args").and_then(J::as_array).map(|xs| {
        xs.iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    });
    let env = e.get("env").and_then(J::as_array).map(|xs| {
        xs.iter()
            .filter_map(|x| Some((s(x, "name")?, s(x, "value").unwrap_or_default())))
            .collect()
    });
    Some(ExecConfig {
        api_version: s(e, "apiVersion").unwrap_or_default(),
        command: s(e, "command")?,
        args: args.unwrap_or_default(),
        env: env.unwrap_or_default(),
    })
}

/// The settings of `context` (else the file's `current-context`) in the kubeconfig at `path`;
/// `cluster`/`user` override the context's (`config_context_cluster`/`_auth_info`).
pub fn load(
    path: &str,
    context: Option<&str>,
    cluster: Option<&str>,
    user: Option<&str>,
) -> Result<Settings, String> {
    let file = expand_home(path);
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("config_path {path}: cannot read the kubeconfig: {e}"))?;
    let doc = hubctl_core::lang::funcs::yaml_document(&text)
        .map_err(|e| format!("config_path {path}: not a kubeconfig: {e}"))?
        .to_json();
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let ctx_name = context
        .map(str::to_string)
        .or_else(|| s(&doc, "current-context"))
        .ok_or_else(|| format!("config_path {path}: no current-context; set config_context"))?;
    let ctx = named(&doc, "contexts", &ctx_name, "context")
        .map_err(|e| format!("config_path {path}: {e}"))?;
    let cluster_name = cluster.map(str::to_string).or_else(|| s(ctx, "cluster"));
    let user_name = user.map(str::to_string).or_else(|| s(ctx, "user"));
    let mut out = Settings {
        namespace: s(ctx, "namespace"),
        ..Settings::default()
    };
    let wrap = |e: String| format!("config_path {path}: {e}");
    if let Some(c) = cluster_name {
        let c = named(&doc, "clusters", &c, "cluster").map_err(wrap)?;
        out.host = s(c, "server");
        out.ca_pem = pem(
            c,
            "certificate-authority-data",
            "certificate-authority",
            &dir,
        )
        .map_err(wrap)?;
        out.insecure = c
            .get("insecure-skip-tls-verify")
            .and_then(J::as_bool)
            .unwrap_or(false);
    }
    if let Some(u) = user_name {
        let u = named(&doc, "users", &u, "user").map_err(wrap)?;
        out.client_cert_pem =
            pem(u, "client-certificate-data", "client-certificate", &dir).map_err(wrap)?;
        out.client_key_pem = pem(u, "client-key-data", "client-key", &dir).map_err(wrap)?;
        out.token = match (s(u, "token"), s(u, "tokenFile")) {
            (Some(t), _) => Some(t),
            (None, Some(f)) => Some(
                std::fs::read_to_string(dir.join(&f))
                    .map_err(|e| wrap(format!("tokenFile {f}: {e}")))?
                    .trim()
                    .to_string(),
            ),
            (None, None) => None,
        };
        out.exec = exec(u);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_current_context() {
        let dir = std::env::temp_dir().join(format!("hubctl-kubeconfig-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = base64::engine::general_purpose::STANDARD.encode("-----BEGIN CERTIFICATE-----\n");
        let text = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: b\nclusters:\n- name: c1\n  cluster: {{server: 'https://127.0.0.1:1', certificate-authority-data: {ca}}}\nusers:\n- name: u1\n  user:\n    exec: {{apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token], env: [{{name: A, value: b}}]}}\n- name: u2\n  user: {{token: t2}}\ncontexts:\n- name: a\n  context: {{cluster: c1, user: u2}}\n- name: b\n  context: {{cluster: c1, user: u1, namespace: ops}}\n"
        );
        let path = dir.join("config");
        std::fs::write(&path, text).unwrap();
        let p = path.to_str().unwrap();
        let b = load(p, None, None, None).unwrap();
        assert_eq!(b.host.as_deref(), Some("https://127.0.0.1:1"));
        assert_eq!(b.ca_pem.as_deref(), Some("-----BEGIN CERTIFICATE-----\n"));
        assert_eq!(b.namespace.as_deref(), Some("ops"));
        assert_eq!(b.exec.unwrap().args, ["eks", "get-token"]);
        let a = load(p, Some("a"), None, None).unwrap();
        assert_eq!(a.token.as_deref(), Some("t2"));
        assert!(load(p, Some("zz"), None, None)
            .unwrap_err()
            .contains("no context named \"zz\""));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
