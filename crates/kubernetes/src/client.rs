//! One configured cluster connection: HTTPS through hyper-util's pooled client (the same
//! hyper/rustls stack the AWS SDK uses), bearer-token or client-certificate authentication
//! (a token from an `exec` plugin is renewed when it expires), and API discovery (which
//! resource, and whether namespaced, serves an `apiVersion`/`kind`).

use crate::exec::{ExecConfig, ExecToken};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hubctl_core::provider::{ErrorKind, ProviderError};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;
use kube_core::discovery::ApiResource;
use serde_json::Value as J;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// How requests authenticate (a client certificate lives in the TLS configuration).
pub enum Auth {
    None,
    Token(String),
    Exec(ExecConfig, tokio::sync::Mutex<ExecToken>),
}

/// A kind as the server serves it.
#[derive(Clone, Debug)]
pub struct Served {
    pub resource: ApiResource,
    pub namespaced: bool,
}

/// The configured client every resource of one provider block shares.
pub struct Kube {
    pub base: String,
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    auth: Auth,
    /// The namespace of objects that name none (the kubeconfig context's, else `default`).
    pub default_namespace: String,
    discovery: Mutex<HashMap<String, Vec<(String, Served)>>>,
}

/// How long one request may take before it counts as failed (its outcome uncertain).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

impl Kube {
    pub fn new(
        base: String,
        tls: rustls::ClientConfig,
        auth: Auth,
        default_namespace: String,
    ) -> Kube {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        Kube {
            base: base.trim_end_matches('/').to_string(),
            http: Client::builder(TokioExecutor::new()).build(https),
            auth,
            default_namespace,
            discovery: Mutex::new(HashMap::new()),
        }
    }

    async fn bearer(&self) -> Result<Option<String>, ProviderError> {
        match &self.auth {
            Auth::None => Ok(None),
            Auth::Token(t) => Ok(Some(t.clone())),
            Auth::Exec(cfg, cached) => {
                let mut cached = cached.lock().await;
                if cached.expired() {
                    *cached = crate::exec::run(cfg).await.map_err(ProviderError::msg)?;
                }
                Ok(cached.token.clone())
            }
        }
    }

    /// Sends a request built by kube-core; the JSON answer of a 2xx, else the server's
    /// `Status` as an error of the matching kind. `op` names the call in errors.
    pub async fn send(&self, req: http::Request<Vec<u8>>, op: &str) -> Result<J, ProviderError> {
        let (mut parts, body) = req.into_parts();
        let uri = format!("{}{}", self.base, parts.uri);
        parts.uri = uri
            .parse()
            .map_err(|e| ProviderError::new(op, format!("bad request URI {uri}: {e}")))?;
        if let Some(t) = self.bearer().await? {
            let v = format!("Bearer {t}").parse().map_err(|_| {
                ProviderError::new(op, "the token holds characters not allowed in a header")
            })?;
            parts.headers.insert(http::header::AUTHORIZATION, v);
        }
        let req = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
        let sent = tokio::time::timeout(REQUEST_TIMEOUT, self.http.request(req)).await;
        let resp = match sent {
            Err(_) => return Err(unreachable(op, "no answer within 60 s")),
            Ok(Err(e)) => return Err(unreachable(op, &transport_error(&e))),
            Ok(Ok(r)) => r,
        };
        let status = resp.status();
        let bytes = match resp.into_body().collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => return Err(unreachable(op, &e.to_string())),
        };
        let json: J = serde_json::from_slice(&bytes).unwrap_or(J::Null);
        if status.is_success() {
            return Ok(json);
        }
        Err(status_error(op, status, &json, &bytes))
    }

    /// A request by method and path (`GET /api/v1/namespaces`), for tools and tests that
    /// look at the cluster around the resource types.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<J, ProviderError> {
        let mut b = http::Request::builder().method(method).uri(path);
        let data = match body {
            Some((content_type, data)) => {
                b = b.header(http::header::CONTENT_TYPE, content_type);
                data
            }
            None => Vec::new(),
        };
        let req = b
            .body(data)
            .map_err(|e| ProviderError::msg(e.to_string()))?;
        self.send(req, &format!("{method} {path}")).await
    }

    /// The resource serving `kind` in `api_version`, or `None` when the server serves no
    /// such kind (yet: a CRD in the same apply may still be being created).
    pub async fn served(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Result<Option<Served>, ProviderError> {
        if let Some(s) = self.cached(api_version, kind) {
            return Ok(Some(s));
        }
        let path = if api_version.contains('/') {
            format!("/apis/{api_version}")
        } else {
            format!("/api/{api_version}")
        };
        let req = http::Request::get(path)
            .body(Vec::new())
            .map_err(|e| ProviderError::msg(e.to_string()))?;
        let list = match self.send(req, &format!("discovery {api_version}")).await {
            Ok(j) => j,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let list: APIResourceList = serde_json::from_value(list).map_err(|e| {
            ProviderError::msg(format!(
                "discovery of {api_version}: unexpected answer: {e}"
            ))
        })?;
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        let entries: Vec<(String, Served)> = list
            .resources
            .into_iter()
            .filter(|r| !r.name.contains('/'))
            .map(|r| {
                let resource = ApiResource {
                    group: group.clone(),
                    version: version.clone(),
                    api_version: api_version.to_string(),
                    kind: r.kind.clone(),
                    plural: r.name,
                };
                (
                    r.kind,
                    Served {
                        resource,
                        namespaced: r.namespaced,
                    },
                )
            })
            .collect();
        self.discovery
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(api_version.to_string(), entries);
        Ok(self.cached(api_version, kind))
    }

    fn cached(&self, api_version: &str, kind: &str) -> Option<Served> {
        let d = self.discovery.lock().unwrap_or_else(|p| p.into_inner());
        d.get(api_version)?
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, s)| s.clone())
    }
}

/// The innermost cause of a transport failure (hyper's outer errors say little).
fn transport_error(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        msg = format!("{msg}: {s}");
        cur = s.source();
    }
    msg
}

/// The cluster could not be reached: the call's outcome is unknown.
fn unreachable(op: &str, why: &str) -> ProviderError {
    ProviderError::new(op, format!("cannot reach the cluster: {why}")).kind(ErrorKind::Uncertain)
}

/// Whether an error says the cluster could not be reached at all.
pub fn is_unreachable(e: &ProviderError) -> bool {
    e.is_uncertain() && e.message.starts_with("cannot reach the cluster")
}

fn status_error(op: &str, status: http::StatusCode, json: &J, raw: &[u8]) -> ProviderError {
    let message = json
        .get("message")
        .and_then(J::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| String::from_utf8_lossy(raw).trim().to_string());
    let kind = match status.as_u16() {
        404 | 410 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::Throttled,
        400 | 401 | 403 | 405 | 415 | 422 => ErrorKind::Invalid,
        _ => ErrorKind::Other,
    };
    ProviderError::new(op, format!("{message} (HTTP {})", status.as_u16())).kind(kind)
}
