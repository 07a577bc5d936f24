//! A tiny HTTPS server on 127.0.0.1 with its own CA (rcgen), serving fixed responses by
//! path from a table the test can change while it runs: enough for the module registry
//! protocol and archive downloads. Blocking rustls on threads, one request per connection.

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
        }
    }
}

pub struct Server {
    pub host: String,
    /// The CA certificate (PEM) to pass as `SSL_CERT_FILE`.
    pub ca_file: PathBuf,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    _dir: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let ca_key = rcgen::KeyPair::generate().expect("key");
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "hubctl test CA");
        let ca_cert = ca.self_signed(&ca_key).expect("CA");
        let key = rcgen::KeyPair::generate().expect("key");
        let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("params");
        let cert = leaf.signed_by(&key, &ca_cert, &ca_key).expect("cert");
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, ca_cert.pem()).expect("write CA");

        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .expect("server config");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let host = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
        let routes: Arc<Mutex<HashMap<String, Reply>>> = Arc::default();
        let table = routes.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (config, table) = (config.clone(), table.clone());
                std::thread::spawn(move || serve(config, table, stream));
            }
        });
        Server {
            host,
            ca_file,
            routes,
            _dir: dir,
        }
    }

    pub fn route(&self, path: &str, reply: Reply) {
        self.routes.lock().unwrap().insert(path.to_string(), reply);
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.host)
    }
}

fn serve(
    config: Arc<rustls::ServerConfig>,
    table: Arc<Mutex<HashMap<String, Reply>>>,
    stream: std::net::TcpStream,
) {
    let Ok(conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, stream);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match tls.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let path = head.split(' ').nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap_or(path);
    let reply = table.lock().unwrap().get(path).cloned().unwrap_or(Reply {
        status: 404,
        headers: Vec::new(),
        body: b"not found".to_vec(),
    });
    let mut out = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let _ = tls.write_all(out.as_bytes());
    let _ = tls.write_all(&reply.body);
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

/// A gzipped tarball of (path, text) pairs.
pub fn tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, text) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        b.append(&h, text.as_bytes()).expect("append");
    }
    let tar = b.into_inner().expect("tar");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).expect("gzip");
    gz.finish().expect("gzip")
}

/// A module registry on the server: discovery, and `publish` for versions and archives.
pub struct Registry {
    pub server: Server,
    versions: Mutex<HashMap<String, Vec<String>>>,
}

impl Registry {
    pub fn start() -> Registry {
        let server = Server::start();
        server.route(
            "/.well-known/terraform.json",
            Reply::ok(r#"{"modules.v1":"/v1/modules/"}"#),
        );
        Registry {
            server,
            versions: Mutex::default(),
        }
    }

    /// Publishes `pkg` ("ns/name/provider") at `version` with these files.
    pub fn publish(&self, pkg: &str, version: &str, files: &[(&str, &str)]) {
        let archive = format!("/archive/{pkg}/{version}.tar.gz");
        self.server.route(&archive, Reply::ok(tar_gz(files)));
        self.server.route(
            &format!("/v1/modules/{pkg}/{version}/download"),
            Reply {
                status: 204,
                headers: vec![("X-Terraform-Get".into(), archive)],
                body: Vec::new(),
            },
        );
        let mut all = self.versions.lock().unwrap();
        let list = all.entry(pkg.to_string()).or_default();
        list.push(version.to_string());
        let body: Vec<String> = list
            .iter()
            .map(|v| format!(r#"{{"version":"{v}"}}"#))
            .collect();
        self.server.route(
            &format!("/v1/modules/{pkg}/versions"),
            Reply::ok(format!(
                r#"{{"modules":[{{"versions":[{}]}}]}}"#,
                body.join(",")
            )),
        );
    }
}
