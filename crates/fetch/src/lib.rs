//! hubctl's module fetchers: the module registry protocol (service discovery, versions,
//! download with `X-Terraform-Get`, `TF_TOKEN_<host>` credentials) and archives over HTTPS,
//! and git through the `git` CLI as Terraform does. S3 packages are fetched by hubctl-aws;
//! the CLI puts the two behind hubctl-core's `Fetcher`.

mod git;
pub mod https;

use hubctl_core::sources::extract::{self, ArchiveKind, Limits};
use hubctl_core::sources::{addr, Getter, RegistryAddr, RemoteAddr, Source};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

/// Registry, HTTPS and git fetching with a per-run cache of discovered registry services.
pub struct Net {
    https: https::Https,
    services: Mutex<HashMap<String, String>>,
}

impl Net {
    pub fn new() -> Result<Net, String> {
        Ok(Net {
            https: https::Https::new()?,
            services: Mutex::new(HashMap::new()),
        })
    }

    /// The registry's `modules.v1` base URL, from `https://HOST/.well-known/terraform.json`.
    async fn modules_base(&self, host: &str) -> Result<String, String> {
        if let Some(b) = self.services.lock().expect("not poisoned").get(host) {
            return Ok(b.clone());
        }
        let url = format!("https://{host}/.well-known/terraform.json");
        let r = self.https.get(&url, &auth(host)).await?;
        if !r.status.is_success() {
            return Err(format!("service discovery at {url} answered {}", r.status));
        }
        let doc: serde_json::Value = serde_json::from_slice(&r.body)
            .map_err(|e| format!("service discovery at {url} returned invalid JSON: {e}"))?;
        let rel = doc["modules.v1"].as_str().ok_or_else(|| {
            format!("host {host} does not provide a module registry (no modules.v1 in {url})")
        })?;
        let base = https::resolve(&url, rel);
        let base = if base.ends_with('/') {
            base
        } else {
            format!("{base}/")
        };
        self.services
            .lock()
            .expect("not poisoned")
            .insert(host.to_string(), base.clone());
        Ok(base)
    }

    pub async fn registry_versions(&self, pkg: &RegistryAddr) -> Result<Vec<String>, String> {
        let base = self.modules_base(&pkg.host).await?;
        let url = format!(
            "{base}{}/{}/{}/versions",
            pkg.namespace, pkg.name, pkg.provider
        );
        let r = self.https.get(&url, &auth(&pkg.host)).await?;
        if r.status == http::StatusCode::NOT_FOUND {
            return Err(format!("module not found ({url} answered 404 Not Found)"));
        }
        if !r.status.is_success() {
            return Err(format!("{url} answered {}", r.status));
        }
        let doc: serde_json::Value = serde_json::from_slice(&r.body)
            .map_err(|e| format!("{url} returned invalid JSON: {e}"))?;
        let list = doc["modules"][0]["versions"]
            .as_array()
            .ok_or_else(|| format!("{url} returned no modules[0].versions list"))?;
        Ok(list
            .iter()
            .filter_map(|v| v["version"].as_str().map(str::to_string))
            .collect())
    }

    pub async fn registry_download(
        &self,
        pkg: &RegistryAddr,
        version: &str,
    ) -> Result<String, String> {
        let base = self.modules_base(&pkg.host).await?;
        let url = format!(
            "{base}{}/{}/{}/{version}/download",
            pkg.namespace, pkg.name, pkg.provider
        );
        let r = self.https.get(&url, &auth(&pkg.host)).await?;
        if !r.status.is_success() {
            return Err(format!("{url} answered {}", r.status));
        }
        let get = r
            .headers
            .get("x-terraform-get")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| format!("{url} answered without an X-Terraform-Get header"))?;
        Ok(https::resolve(&url, get))
    }

    /// Fetches an HTTPS or git package into `dest`.
    pub async fn fetch(&self, remote: &RemoteAddr, dest: &Path) -> Result<(), String> {
        match remote.getter {
            Getter::Git => git::clone(remote, dest).await,
            Getter::Https => self.fetch_https(remote, dest, 0).await,
            Getter::S3 => Err("s3:: packages are fetched through the AWS SDK".to_string()),
        }
    }

    /// An archive, or a page whose `X-Terraform-Get` names the real package (followed a few
    /// times at most).
    async fn fetch_https(&self, remote: &RemoteAddr, dest: &Path, hops: u8) -> Result<(), String> {
        let kind = ArchiveKind::detect(remote.base_url(), remote.query("archive").as_deref());
        let url = strip_query(&remote.url, "archive");
        let host = url
            .trim_start_matches("https://")
            .split('/')
            .next()
            .unwrap_or("");
        let r = self.https.get(&url, &auth(host)).await?;
        if !r.status.is_success() {
            return Err(format!("GET {url} answered {}", r.status));
        }
        if let Some(kind) = kind {
            return extract::extract(kind, &r.body, dest, Limits::default())
                .map_err(|e| format!("the archive from {url} cannot be unpacked: {e}"));
        }
        let Some(next) = r
            .headers
            .get("x-terraform-get")
            .and_then(|v| v.to_str().ok())
        else {
            return Err(format!(
                "{url} is neither an archive (.zip, .tar.gz, .tgz, .tar or ?archive=) nor \
                 answered with an X-Terraform-Get header"
            ));
        };
        if hops >= 3 {
            return Err(format!("too many X-Terraform-Get redirects (at {url})"));
        }
        match addr::parse(&https::resolve(&url, next))? {
            Source::Remote(next) if next.getter == Getter::Https => {
                Box::pin(self.fetch_https(&next, dest, hops + 1)).await
            }
            Source::Remote(next) if next.getter == Getter::Git => git::clone(&next, dest).await,
            other => Err(format!(
                "{url} redirects to {other}, which cannot be fetched from here"
            )),
        }
    }
}

fn strip_query(url: &str, key: &str) -> String {
    let Some((base, q)) = url.split_once('?') else {
        return url.to_string();
    };
    let kept: Vec<&str> = q
        .split('&')
        .filter(|kv| kv.split('=').next() != Some(key))
        .collect();
    if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

/// `Authorization: Bearer` from `TF_TOKEN_<host>`, dots as underscores and dashes as
/// double underscores, as Terraform names the variable.
fn auth(host: &str) -> Vec<(&'static str, String)> {
    let name = host.split(':').next().unwrap_or(host);
    let var = format!("TF_TOKEN_{}", name.replace('-', "__").replace('.', "_"));
    match std::env::var(&var) {
        Ok(t) if !t.is_empty() => vec![("authorization", format!("Bearer {t}"))],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_named_as_terraform_names_them() {
        // The only test in this crate that touches the environment.
        std::env::set_var("TF_TOKEN_reg__one_example_com", "abc");
        assert_eq!(
            super::auth("reg-one.example.com:8443"),
            [("authorization", "Bearer abc".to_string())]
        );
        assert!(super::auth("other.example.com").is_empty());
        assert_eq!(
            super::strip_query("https://h/x?archive=zip&v=1", "archive"),
            "https://h/x?v=1"
        );
    }
}
