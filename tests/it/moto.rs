//! A private moto server (the AWS emulator) per test, on a free 127.0.0.1 port, killed on
//! drop; plus a raw EC2 query client so tests can look at (and tamper with) the emulator
//! without going through hubctl. Never anything but loopback.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The Python that runs moto: `HUBCTL_PYTHON` (scripts/test.sh exports its virtualenv's),
/// else that virtualenv if it exists (scripts/moto.sh or test.sh made it), else `python3`.
/// Checked once per test process, so a missing moto fails with what to run.
pub(crate) fn python() -> &'static PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let venv = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|c| c.join("hubctl/venv/bin/python"));
        let py = std::env::var_os("HUBCTL_PYTHON")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or(venv.filter(|p| p.exists()))
            .unwrap_or_else(|| PathBuf::from("python3"));
        let ok = Command::new(&py)
            .args(["-c", "import moto.server, flask"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "moto[server] (the local AWS emulator) does not import with {}: run scripts/test.sh, \
             or `bash scripts/moto.sh start` once to create its virtualenv, or set HUBCTL_PYTHON \
             to a Python that has moto[server]",
            py.display()
        );
        py
    })
}

pub struct Moto {
    child: Child,
    pub endpoint: String,
    port: u16,
}

impl Moto {
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        // moto with each EKS cluster given its own OIDC issuer, as AWS does (the script says why).
        let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/moto_server.py");
        let child = Command::new(python())
            .arg(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            // AWS managed policies (arn:aws:iam::aws:policy/AmazonEKSClusterPolicy, ...) exist
            // in moto only when it loads them.
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("starting {} {}: {e}", python().display(), server.display())
            });
        let mut m = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
        };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if m.http("GET", "/moto-api/data.json", "").is_some() {
                return m;
            }
            if let Ok(Some(status)) = m.child.try_wait() {
                panic!("moto exited at start: {status}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto did not answer within 30 s");
    }

    /// A raw HTTP/1.1 request to EC2; `None` on connection failure. Returns the body.
    pub fn http(&self, method: &str, path: &str, form: &str) -> Option<String> {
        self.http_to("ec2", method, path, form)
    }

    /// A PUT of an S3 object (`/bucket/key`) with `body`.
    pub fn s3_put(&self, path: &str, body: &str) -> Option<String> {
        self.request("s3", "PUT", path, "application/octet-stream", body)
    }

    /// A GET of an S3 path (`/bucket?list-type=2`), its XML body.
    pub fn s3_get(&self, path: &str) -> Option<String> {
        self.http_to("s3", "GET", path, "")
    }

    /// A GET of a REST-JSON service's path (`eks`, `/clusters`), as JSON.
    pub fn rest(&self, service: &str, path: &str) -> serde_json::Value {
        let body = self.http_to(service, "GET", path, "");
        let body = body.unwrap_or_else(|| panic!("{service} GET {path} failed"));
        serde_json::from_str(&body).expect("JSON answer")
    }

    /// A DELETE of a REST-JSON service's path (`eks`, `/clusters/x`): whether it answered 2xx.
    pub fn rest_delete(&self, service: &str, path: &str) -> bool {
        self.http_to(service, "DELETE", path, "").is_some()
    }

    /// A query-protocol call to a service other than EC2 (`iam`, `Action=ListRoles&Version=...`),
    /// returning the XML body.
    pub fn query(&self, service: &str, form: &str) -> String {
        self.http_to(service, "POST", "/", form)
            .unwrap_or_else(|| panic!("{service} {form} failed"))
    }

    /// A raw HTTP/1.1 request, signed (in form only: moto routes by the credential scope)
    /// for `service`.
    fn http_to(&self, service: &str, method: &str, path: &str, form: &str) -> Option<String> {
        // A form body only for the query protocol: moto routes a form to it whatever the scope.
        let ctype = if form.is_empty() {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        self.request(service, method, path, ctype, form)
    }

    fn request(
        &self,
        service: &str,
        method: &str,
        path: &str,
        ctype: &str,
        form: &str,
    ) -> Option<String> {
        self.request_in("us-east-1", (service, method, path), ctype, form)
    }

    /// An EC2 query API call in `region` (moto keeps each region's objects apart).
    pub fn ec2_in(&self, region: &str, action_and_params: &str) -> String {
        let form = format!("Version=2016-11-15&Action={action_and_params}");
        let ctype = "application/x-www-form-urlencoded";
        self.request_in(region, ("ec2", "POST", "/"), ctype, &form)
            .unwrap_or_else(|| panic!("EC2 {action_and_params} in {region} failed"))
    }

    fn request_in(
        &self,
        region: &str,
        (service, method, path): (&str, &str, &str),
        ctype: &str,
        form: &str,
    ) -> Option<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: {ctype}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            self.port,
            form.len()
        );
        s.write_all(req.as_bytes()).ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        let (head, body) = out.split_once("\r\n\r\n")?;
        if !head.starts_with("HTTP/1.1 2") && !head.starts_with("HTTP/1.0 2") {
            return None;
        }
        Some(body.to_string())
    }

    /// An EC2 query API call (`Action=DescribeVpcs&...`), returning the XML body.
    pub fn ec2(&self, action_and_params: &str) -> String {
        self.http(
            "POST",
            "/",
            &format!("Version=2016-11-15&Action={action_and_params}"),
        )
        .unwrap_or_else(|| panic!("EC2 {action_and_params} failed"))
    }

    /// How many objects of a kind moto holds: distinct `<tag>` values in a Describe answer
    /// (ids also appear nested, e.g. in route table associations).
    pub fn count(&self, action: &str, id_tag: &str) -> usize {
        let xml = self.ec2(action);
        let open = format!("<{id_tag}>");
        let ids: std::collections::BTreeSet<&str> = xml
            .split(&open)
            .skip(1)
            .filter_map(|rest| rest.split('<').next())
            .collect();
        ids.len()
    }

    /// Runs `hubctl` in `w` against this emulator, with no AWS setting of the host leaking
    /// in; `extra` adds or overrides variables.
    pub fn hubctl(
        &self,
        w: &crate::support::Work,
        args: &[&str],
        extra: &[(&str, String)],
    ) -> crate::support::Out {
        let o = self
            .hubctl_command(w, args, extra)
            .output()
            .expect("run hubctl");
        crate::support::Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// The command [`Moto::hubctl`] runs, for a test that starts (and kills) it itself.
    pub fn hubctl_command(
        &self,
        w: &crate::support::Work,
        args: &[&str],
        extra: &[(&str, String)],
    ) -> std::process::Command {
        let mut c = w.command(args);
        for k in [
            "AWS_PROFILE",
            "AWS_ENDPOINT_URL_EC2",
            "AWS_SESSION_TOKEN",
            "AWS_DEFAULT_REGION",
        ] {
            c.env_remove(k);
        }
        c.env("HOME", w.dir());
        for (k, v) in self.env() {
            c.env(k, v);
        }
        for (k, v) in extra {
            c.env(k, v);
        }
        c
    }

    /// The environment a hubctl run against this emulator needs (and nothing from the host).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
