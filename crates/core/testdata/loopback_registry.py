"""A module registry on 127.0.0.1 over HTTPS with its own CA, for the recorders beside it
(record_module_versions.py, tests/fixtures/terraform-init/record.py). It speaks the module
registry protocol: /.well-known/terraform.json (modules.v1), /v1/modules/NS/NAME/PROV/versions
and .../VERSION/download answering X-Terraform-Get with a tarball served by itself. `modules`
maps "ns/name/prov" to {version: {file name: text}}. Terraform is pointed at the CA with
SSL_CERT_FILE (Go reads it on Linux), so nothing but loopback is contacted."""
import io
import json
import os
import ssl
import subprocess
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_ca(workdir):
    """A CA and a certificate for 127.0.0.1 signed by it, made with the openssl CLI."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=workdir, check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=loopback CA",
        "-keyout", "ca.key", "-out", "ca.pem")
    with open(os.path.join(workdir, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", "srv.key", "-out", "srv.csr")
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "srv.pem")
    return os.path.join(workdir, "ca.pem")


def tarball(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class Registry:
    def __init__(self, workdir, modules):
        self.modules = modules
        self.ca = make_ca(workdir)
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                registry.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(workdir, "srv.pem"), os.path.join(workdir, "srv.key"))
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.host = "127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()

    def handle(self, h):
        path = h.path.split("?")[0]
        parts = path.strip("/").split("/")
        if path == "/.well-known/terraform.json":
            return self.send(h, 200, json.dumps({"modules.v1": "/v1/modules/"}).encode(),
                             {"Content-Type": "application/json"})
        if parts[:2] == ["v1", "modules"] and len(parts) >= 6:
            key = "/".join(parts[2:5])
            versions = self.modules.get(key)
            if versions is None:
                return self.send(h, 404, b'{"errors":["Not Found"]}')
            if parts[5] == "versions":
                body = {"modules": [{"versions": [{"version": v} for v in versions]}]}
                return self.send(h, 200, json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
            if len(parts) == 7 and parts[6] == "download" and parts[5] in versions:
                url = "https://%s/archive/%s/%s.tar.gz" % (self.host, key, parts[5])
                return self.send(h, 204, b"", {"X-Terraform-Get": url})
        if parts[0] == "archive" and len(parts) == 5:
            key, version = "/".join(parts[1:4]), parts[4][: -len(".tar.gz")]
            files = self.modules.get(key, {}).get(version)
            if files is not None:
                return self.send(h, 200, tarball(files), {"Content-Type": "application/x-gzip"})
        self.send(h, 404, b"not found")

    def send(self, h, status, body, headers=None):
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


def terraform_env(ca):
    env = dict(os.environ, SSL_CERT_FILE=ca, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
    env.pop("TF_CLI_CONFIG_FILE", None)
    return env
