#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of moto, for hubctl's reliability tests.

hubctl's clients point at this proxy (AWS_ENDPOINT_URL); it forwards each request to moto
and, by operation name or by probability with a fixed seed, injects what real AWS does
on a bad day:

- delay:     wait before forwarding;
- throttle:  answer the service's own throttling error (RequestLimitExceeded, Throttling,
             ThrottlingException, SlowDown) without forwarding;
- error:     answer 500/503 without forwarding;
- drop:      forward, let moto handle the request, then close the connection without an
             answer: the call took effect but the caller never hears of it;
- late:      hold the request for --late-ms, then forward it: a call that AWS carries out
             after its caller has given up or died (by rule only).

Usage: fault_proxy.py --upstream http://127.0.0.1:PORT [--port 0] [--seed 1]
           [--throttle 0.3] [--drop 0.05] [--error 0.0] [--delay-ms 0] [--late-ms 3000]
           [--rule OP=FAULT[:COUNT]] ... [--only-mutating] [--drop-each-once]
--drop-each-once drops the answer to the first sending of every distinct mutating request
(operation, path and body): each call takes effect unheard once, and its retry is answered.
It prints "listening on PORT" once ready. GET /__faults__ answers the counts as JSON
(requests, and per fault: how many and for which operations).
"""

import argparse
import http.client
import http.server
import json
import random
import re
import socketserver
import sys
import threading
import time
import urllib.parse

# Operations that only read: with --only-mutating, faults hit the rest only.
READ_PREFIXES = ("Describe", "Get", "List", "Head", "GET ", "HEAD ")


class Faults:
    """The fault plan and its counters, shared by all handler threads."""

    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.p = {"throttle": args.throttle, "drop": args.drop, "error": args.error}
        self.delay = args.delay_ms / 1000.0
        self.late = args.late_ms / 1000.0
        self.only_mutating = args.only_mutating
        self.drop_each_once = args.drop_each_once
        self.seen = set()
        self.rules = {}
        for r in args.rule:
            op, fault = r.split("=", 1)
            count = None
            if ":" in fault:
                fault, n = fault.split(":", 1)
                count = int(n)
            self.rules[op] = [fault, count]
        self.requests = 0
        self.counts = {"throttle": [], "drop": [], "error": [], "delay": [], "late": []}

    def choose(self, service, op, key):
        """The fault for one request (`key`: its path and body), or None."""
        with self.lock:
            self.requests += 1
            rule = self.rules.get(op) or self.rules.get(f"{service}:{op}")
            fault = None
            if self.drop_each_once and not op.startswith(READ_PREFIXES):
                if (op, key) not in self.seen:
                    self.seen.add((op, key))
                    fault = "drop"
            elif rule and (rule[1] is None or rule[1] > 0):
                fault = rule[0]
                if rule[1] is not None:
                    rule[1] -= 1
            elif not (self.only_mutating and op.startswith(READ_PREFIXES)):
                # One draw per request, so a seed replays the same sequence of faults.
                x = self.rng.random()
                for name in ("throttle", "drop", "error"):
                    if x < self.p[name]:
                        fault = name
                        break
                    x -= self.p[name]
            if fault:
                self.counts.setdefault(fault, []).append(f"{service}:{op}")
            return fault

    def report(self):
        with self.lock:
            return {
                "requests": self.requests,
                **{k: {"count": len(v), "ops": v} for k, v in self.counts.items()},
            }


def service_of(headers):
    m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", headers.get("Authorization", ""))
    return m.group(1) if m else "unknown"


def operation_of(method, path, headers, body):
    """The API operation: X-Amz-Target (JSON protocols), Action= (query protocols), or
    the method and path (REST protocols: EKS, S3)."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    query = urllib.parse.urlsplit(path).query
    for text in (query, body.decode("utf-8", "replace") if body else ""):
        action = urllib.parse.parse_qs(text).get("Action")
        if action:
            return action[0]
    # /clusters/hub/node-groups/ng → /clusters/_/node-groups/_: collections kept, names not.
    parts = urllib.parse.urlsplit(path).path.strip("/").split("/")
    shape = "/".join(p if i % 2 == 0 else "_" for i, p in enumerate(parts))
    return f"{method} /{shape}"


def throttle_answer(service):
    """The service's own throttling error: (status, content type, body)."""
    if service == "ec2":
        return 503, "text/xml", (
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error>"
            "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>"
            "</Error></Errors><RequestID>fault-proxy</RequestID></Response>")
    if service in ("iam", "sts"):
        return 400, "text/xml", (
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
            "<Message>Rate exceeded</Message></Error><RequestId>fault-proxy</RequestId>"
            "</ErrorResponse>")
    if service == "s3":
        return 503, "application/xml", (
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
            "</Error>")
    return 400, "application/x-amz-json-1.1", json.dumps(
        {"__type": "ThrottlingException", "message": "Rate exceeded"})


def server_error_answer(service, status):
    code = "InternalError" if status == 500 else "ServiceUnavailable"
    if service == "ec2":
        return status, "text/xml", (
            f"<Response><Errors><Error><Code>{code}</Code><Message>injected</Message>"
            "</Error></Errors><RequestID>fault-proxy</RequestID></Response>")
    if service in ("iam", "sts", "s3"):
        return status, "text/xml", (
            f"<ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code>"
            "<Message>injected</Message></Error></ErrorResponse>")
    return status, "application/x-amz-json-1.1", json.dumps(
        {"__type": code, "message": "injected"})


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    faults: Faults = None
    upstream = None

    def log_message(self, *args):
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def answer(self, status, ctype, body, headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def forward(self, body):
        up = urllib.parse.urlsplit(self.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("transfer-encoding", "content-length")}
        headers["Content-Length"] = str(len(body))
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        hdrs = [(k, v) for k, v in resp.getheaders()
                if k.lower() not in ("transfer-encoding", "content-length", "connection")]
        conn.close()
        return resp.status, hdrs, data

    def handle_any(self):
        body = self.read_body()
        if self.path == "/__faults__":
            return self.answer(200, "application/json", json.dumps(self.faults.report()))
        service = service_of(self.headers)
        op = operation_of(self.command, self.path, self.headers, body)
        fault = self.faults.choose(service, op, (self.path, body))
        if self.faults.delay or fault == "delay":
            time.sleep(self.faults.delay or 0.5)
        if fault == "late":
            time.sleep(self.faults.late)
        if fault == "throttle":
            status, ctype, text = throttle_answer(service)
            return self.answer(status, ctype, text, [("x-amzn-ErrorType", "ThrottlingException")])
        if fault == "error":
            status, ctype, text = server_error_answer(service, self.faults.rng.choice([500, 503]))
            return self.answer(status, ctype, text)
        status, hdrs, data = self.forward(body)
        if fault == "drop":
            # moto handled it; the caller never hears so.
            self.close_connection = True
            return
        self.send_response(status)
        for k, v in hdrs:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--throttle", type=float, default=0.0)
    ap.add_argument("--drop", type=float, default=0.0)
    ap.add_argument("--error", type=float, default=0.0)
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--late-ms", type=int, default=3000)
    ap.add_argument("--rule", action="append", default=[])
    ap.add_argument("--only-mutating", action="store_true")
    ap.add_argument("--drop-each-once", action="store_true")
    args = ap.parse_args()
    Handler.faults = Faults(args)
    Handler.upstream = args.upstream
    srv = Server(("127.0.0.1", args.port), Handler)
    print(f"listening on {srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
