//! An HTTPS-only client: plain `http://` is refused by the connector, the trust store is the
//! system's (rustls-native-certs) plus `SSL_CERT_FILE`, bodies are bounded, and errors spell
//! out their cause chain (DNS, connect, TLS), since the user must act on them.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use rustls::pki_types::{pem::PemObject, CertificateDer};
use std::time::Duration;

/// The system CA bundles read in addition to `SSL_CERT_FILE` (which rustls-native-certs
/// would read instead of the system store, not as well).
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The most a response body may hold (a module archive included).
pub const MAX_BODY: usize = 256 << 20;

#[derive(Clone)]
pub struct Https {
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
}

pub struct Response {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Https {
    pub fn new() -> Result<Https, String> {
        let mut roots = rustls::RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        for c in native.certs {
            let _ = roots.add(c);
        }
        for path in SYSTEM_BUNDLES {
            add_pem_file(&mut roots, path, false)?;
        }
        if let Some(f) = std::env::var_os("SSL_CERT_FILE") {
            add_pem_file(&mut roots, &f.to_string_lossy(), true)?;
        }
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup failed: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(Duration::from_secs(30)));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
        Ok(Https { client })
    }

    /// GET `url` with extra headers; any status is returned, transport failures are errors.
    pub async fn get(&self, url: &str, headers: &[(&str, String)]) -> Result<Response, String> {
        if !url.starts_with("https://") {
            return Err(format!("refusing {url}: only HTTPS is allowed"));
        }
        let mut req = http::Request::get(url);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let req = req
            .body(Empty::new())
            .map_err(|e| format!("invalid URL {url}: {e}"))?;
        let fut = self.client.request(req);
        let resp = tokio::time::timeout(Duration::from_secs(120), fut)
            .await
            .map_err(|_| format!("GET {url}: timed out after 120s"))?
            .map_err(|e| format!("GET {url}: {}", chain(&e)))?;
        let (parts, body) = resp.into_parts();
        let body = Limited::new(body, MAX_BODY)
            .collect()
            .await
            .map_err(|e| format!("GET {url}: reading the body: {e} (limit {MAX_BODY} bytes)"))?
            .to_bytes();
        Ok(Response {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}

fn add_pem_file(
    roots: &mut rustls::RootCertStore,
    path: &str,
    required: bool,
) -> Result<(), String> {
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(_) if !required => return Ok(()),
        Err(e) => return Err(format!("SSL_CERT_FILE {path}: {e}")),
    };
    for c in CertificateDer::pem_slice_iter(&data) {
        match c {
            Ok(c) => {
                let _ = roots.add(c);
            }
            Err(e) if required => return Err(format!("SSL_CERT_FILE {path}: {e}")),
            Err(_) => {}
        }
    }
    Ok(())
}

/// An error with all its sources: "client error (Connect): invalid peer certificate: ...".
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.last().is_some_and(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}

/// `base` joined with a reference that may be absolute, host-relative or path-relative.
pub fn resolve(base: &str, reference: &str) -> String {
    if reference.contains("://") || reference.contains("::") {
        return reference.to_string();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    if reference.starts_with("//") {
        return format!("{}{}", &base[..scheme_end - 2], reference);
    }
    if reference.starts_with('/') {
        return format!("{}{reference}", &base[..host_end]);
    }
    let path = base.split('?').next().unwrap_or(base);
    let dir_end = path
        .rfind('/')
        .filter(|i| *i >= host_end)
        .map_or(path.len(), |i| i + 1);
    format!("{}{reference}", &path[..dir_end])
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn references_resolve_like_urls() {
        let b = "https://r.example.com/v1/modules/a/b/c/1.0.0/download";
        assert_eq!(resolve(b, "https://x.io/m.tgz"), "https://x.io/m.tgz");
        assert_eq!(
            resolve(b, "git::https://x.io/r.git"),
            "git::https://x.io/r.git"
        );
        assert_eq!(
            resolve(b, "/archive/m.tgz"),
            "https://r.example.com/archive/m.tgz"
        );
        assert_eq!(
            resolve(b, "m.tgz"),
            "https://r.example.com/v1/modules/a/b/c/1.0.0/m.tgz"
        );
        assert_eq!(resolve("https://h.io/v1/", "x"), "https://h.io/v1/x");
    }
}
