//! Faults from AWS: a fault-injecting proxy (`tests/support/fault_proxy.py`) between hubctl
//! and moto throttles, fails and drops calls, dropping some answers *after* moto handled
//! the request, so the object exists but hubctl never hears of it. Checked: hubctl retries
//! what is retryable and never leaves a duplicate or an orphan: every object carrying a
//! `hubctl:address` tag is in the state exactly once, and every state entry is in moto.

use crate::conformance::{aws, configure};
use crate::moto::Moto;
use crate::support::{Out, Work};
use serde_json::Value as J;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The proxy, killed on drop.
pub(crate) struct Proxy {
    child: Child,
    port: u16,
}

impl Proxy {
    pub(crate) fn start(upstream: &str, args: &[&str]) -> Proxy {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/fault_proxy.py");
        let mut child = Command::new(crate::moto::python())
            .arg(script)
            .args(["--upstream", upstream])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start fault_proxy.py");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("proxy stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("proxy says where it listens");
        let port = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected proxy output: {line:?}"));
        Proxy { child, port }
    }

    pub(crate) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What the proxy injected: `{"requests": N, "drop": {"count": N, "ops": [...]}, ...}`.
    fn report(&self) -> J {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("proxy");
        let req = "GET /__faults__ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        s.write_all(req.as_bytes()).expect("ask proxy");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("proxy answer");
        let body = out.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        serde_json::from_str(body).expect("proxy report is JSON")
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// hubctl through the proxy: every client's endpoint is the proxy's.
pub(crate) fn through(moto: &Moto, proxy: &Proxy, w: &Work, args: &[&str]) -> Out {
    moto.hubctl(w, args, &[("AWS_ENDPOINT_URL", proxy.endpoint())])
}

/// The `hubctl:address` tag values in a Describe answer, one per object carrying one.
fn address_tags(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    for rest in xml.split("<key>hubctl:address</key>").skip(1) {
        let value = rest
            .split_once("<value>")
            .and_then(|(_, v)| v.split_once("</value>"))
            .map(|(v, _)| v.to_string());
        out.extend(value);
    }
    out
}

/// Objects of ours in moto (by address tag), per kind, with their multiplicity.
async fn tagged_objects(moto: &Moto) -> BTreeMap<&'static str, Vec<String>> {
    let tagged = "Filter.1.Name=tag-key&Filter.1.Value.1=hubctl:address";
    let live_nat = "Filter.2.Name=state&Filter.2.Value.1=available&Filter.2.Value.2=pending";
    let mut kinds = BTreeMap::new();
    for (kind, action) in [
        ("aws_vpc", format!("DescribeVpcs&{tagged}")),
        ("aws_subnet", format!("DescribeSubnets&{tagged}")),
        (
            "aws_internet_gateway",
            format!("DescribeInternetGateways&{tagged}"),
        ),
        ("aws_eip", format!("DescribeAddresses&{tagged}")),
        (
            "aws_nat_gateway",
            format!("DescribeNatGateways&{tagged}&{live_nat}"),
        ),
        ("aws_route_table", format!("DescribeRouteTables&{tagged}")),
        (
            "aws_security_group",
            format!("DescribeSecurityGroups&{tagged}"),
        ),
    ] {
        kinds.insert(kind, address_tags(&moto.ec2(&action)));
    }
    kinds
}

/// How many objects of ours moto holds, all kinds together.
async fn tagged_count(moto: &Moto) -> usize {
    tagged_objects(moto).await.values().map(Vec::len).sum()
}

/// Duplicates (two objects for one address), orphans (an object whose address the state
/// lacks) and lost entries (a state entry of these kinds with no object), printed.
fn reconcile(objects: &BTreeMap<&str, Vec<String>>, state: &J) -> (usize, usize, usize) {
    let resources = state["resources"].as_object().expect("state resources");
    let (mut dups, mut orphans, mut lost) = (0, 0, 0);
    for (kind, addrs) in objects {
        let distinct: BTreeSet<&String> = addrs.iter().collect();
        dups += addrs.len() - distinct.len();
        let in_state: BTreeSet<&String> = resources
            .iter()
            .filter(|(_, r)| r["type"] == *kind)
            .map(|(a, _)| a)
            .collect();
        orphans += distinct.difference(&in_state).count();
        lost += in_state.difference(&distinct).count();
    }
    (dups, orphans, lost)
}

const SMALL: &str = r#"
provider "aws" {
  region = "us-east-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_kms_key" "k" {
  description = "faults"
}

resource "aws_iam_role" "r" {
  name = "faults-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}
"#;

/// [`SMALL`] with few SDK retries, so a call that keeps failing gives up quickly.
fn quick() -> String {
    SMALL.replacen(
        "region = \"us-east-1\"",
        "region = \"us-east-1\"\n  max_retries = 1",
        1,
    )
}

/// Each create's first answer is lost after moto made the object; the SDK's retry then
/// makes a second VPC (EC2 has no idempotency token for it), or is refused because the
/// role's name is taken. hubctl deletes the copy, adopts the named role, and says both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_create_answer_leaves_no_duplicate_and_no_orphan() {
    let moto = Moto::start();
    let proxy = Proxy::start(
        &moto.endpoint,
        &[
            "--rule=CreateVpc=drop:1",
            "--rule=CreateSubnet=drop:1",
            "--rule=CreateInternetGateway=drop:1",
            "--rule=CreateKey=drop:1",
            "--rule=CreateRole=drop:1",
        ],
    );
    let w = Work::empty();
    w.write("main.tf", SMALL);
    let out = through(&moto, &proxy, &w, &["apply", &w.arg(), "--auto-approve"]);
    out.expect_code(0);
    assert_eq!(
        proxy.report()["drop"]["count"],
        J::from(5),
        "{}",
        proxy.report()
    );
    let (dups, orphans, lost) = reconcile(&tagged_objects(&moto).await, &w.state());
    assert_eq!((dups, orphans, lost), (0, 0, 0), "{}", out.stdout);
    assert!(
        out.stdout.contains("aws_vpc.main: Deleted vpc-"),
        "the copy's deletion is reported:\n{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("aws_iam_role.r: Adopted faults-role"),
        "the adoption is reported:\n{}",
        out.stdout
    );
    let client = configure(&moto).await;
    let live = crate::conformance_iam::live_keys(&client).await;
    assert_eq!(live, 1, "one KMS key, not two");
    let _ = aws(&client);
    moto.hubctl(&w, &["plan", &w.arg(), "--detailed-exitcode"], &[])
        .expect_code(0);
}

/// The issue's bar: 30 % of calls throttled and 5 % of answers dropped after moto handled
/// them, with a fixed seed; the whole hub applies and converges with no duplicates.
// The counts are the point of the test: shown with `--nocapture`.
#[allow(clippy::disallowed_macros)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_converges_under_throttling_and_lost_answers() {
    let moto = Moto::start();
    let proxy = Proxy::start(
        &moto.endpoint,
        &["--seed=14", "--throttle=0.30", "--drop=0.05"],
    );
    let w = crate::hub::setup();
    let dir = w.path("examples/hub").display().to_string();
    // 30 % throttling exhausts the default 5 attempts of one call now and then (0.3^5),
    // as a user under such throttling would, the run allows more (Terraform's variable).
    let attempts = [
        ("AWS_ENDPOINT_URL", proxy.endpoint()),
        ("AWS_MAX_ATTEMPTS", "12".to_string()),
    ];
    let out = moto.hubctl(&w, &["apply", &dir, "--auto-approve"], &attempts);
    out.expect_code(0);
    let report = proxy.report();
    let state: J =
        serde_json::from_str(&w.read("examples/hub/.hubctl/state.json")).expect("state is JSON");
    let (dups, orphans, lost) = reconcile(&tagged_objects(&moto).await, &state);
    println!(
        "requests: {}  throttled: {}  dropped after handling: {}  duplicates: {dups}  orphans: {orphans}  lost: {lost}",
        report["requests"], report["throttle"]["count"], report["drop"]["count"]
    );
    assert!(
        report["drop"]["count"].as_u64() > Some(0),
        "the seed must drop some answers: {report}"
    );
    assert_eq!(
        (dups, orphans, lost),
        (0, 0, 0),
        "{:?}\n{}",
        tagged_objects(&moto).await,
        out.stdout
    );
    let again = moto.hubctl(&w, &["plan", &dir, "--detailed-exitcode"], &attempts);
    assert_eq!(again.code, 0, "converged: no changes left\n{}", again.all());
}

/// Every mutating call of the hub takes effect once unheard: its first answer is dropped
/// after moto carried it out, and only its retry is answered. Deterministic, unlike the
/// seeded mix above: each create, attach, association and tag call meets a lost answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutating_call_of_the_hub_survives_a_lost_answer() {
    let moto = Moto::start();
    let proxy = Proxy::start(&moto.endpoint, &["--drop-each-once"]);
    let w = crate::hub::setup();
    let dir = w.path("examples/hub").display().to_string();
    let env = [("AWS_ENDPOINT_URL", proxy.endpoint())];
    let out = moto.hubctl(&w, &["apply", &dir, "--auto-approve"], &env);
    out.expect_code(0);
    let state: J =
        serde_json::from_str(&w.read("examples/hub/.hubctl/state.json")).expect("state is JSON");
    let (dups, orphans, lost) = reconcile(&tagged_objects(&moto).await, &state);
    assert_eq!(
        (dups, orphans, lost),
        (0, 0, 0),
        "{:?}",
        tagged_objects(&moto).await
    );
    assert!(
        proxy.report()["drop"]["count"].as_u64() > Some(40),
        "{}",
        proxy.report()
    );
    let again = moto.hubctl(&w, &["plan", &dir, "--detailed-exitcode"], &env);
    assert_eq!(again.code, 0, "converged: no changes left\n{}", again.all());
}

/// A delete whose every attempt fails with a 5xx may or may not have happened: its intent
/// stays in state (`status = deleting`), `state pending` lists it, and the next destroy
/// finishes the job.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_delete_stays_pending_until_the_next_run_finishes_it() {
    let moto = Moto::start();
    let w = Work::empty();
    let quick = quick();
    w.write("main.tf", &quick);
    moto.hubctl(&w, &["apply", &w.arg(), "--auto-approve"], &[])
        .expect_code(0);
    // More failures than the SDK makes attempts: the delete's outcome stays unknown.
    let proxy = Proxy::start(&moto.endpoint, &["--rule=DeleteSubnet=error:50"]);
    let out = through(&moto, &proxy, &w, &["destroy", &w.arg(), "--auto-approve"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(
        w.state()["resources"]["aws_subnet.a"]["status"],
        J::from("deleting")
    );
    let pending = moto.hubctl(&w, &["state", "pending", "--dir", &w.arg()], &[]);
    pending.expect_code(0);
    assert!(
        pending.stdout.contains("aws_subnet.a: delete interrupted"),
        "{}",
        pending.stdout
    );
    let plan = moto.hubctl(&w, &["plan", &w.arg()], &[]);
    assert!(
        plan.stdout
            .contains("an earlier apply was interrupted while deleting it"),
        "{}",
        plan.stdout
    );
    moto.hubctl(&w, &["destroy", &w.arg(), "--auto-approve"], &[])
        .expect_code(0);
    let pending = moto.hubctl(&w, &["state", "pending", "--dir", &w.arg()], &[]);
    assert!(
        pending.stdout.contains("No pending operations"),
        "{}",
        pending.stdout
    );
    assert_eq!(tagged_count(&moto).await, 0);
}

/// `--on-failure=rollback` deletes exactly what the failed run created: the KMS key that
/// existed before the run stays, everything the run made goes, and the state says so. The
/// default keeps what was made and says how to resume.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_apply_rolls_back_only_what_it_created() {
    let moto = Moto::start();
    let w = Work::empty();
    let quick = quick();
    let key_only = quick
        .split("resource \"aws_vpc\"")
        .next()
        .unwrap_or_default()
        .to_string()
        + "resource \"aws_kms_key\" \"k\" {\n  description = \"faults\"\n}\n";
    w.write("main.tf", &key_only);
    moto.hubctl(&w, &["apply", &w.arg(), "--auto-approve"], &[])
        .expect_code(0);
    w.write("main.tf", &quick);
    let proxy = Proxy::start(&moto.endpoint, &["--rule=CreateSubnet=error:50"]);

    let kept = through(&moto, &proxy, &w, &["apply", &w.arg(), "--auto-approve"]);
    assert_eq!(kept.code, 1, "{}", kept.all());
    assert!(kept.stderr.contains("which are kept"), "{}", kept.all());
    assert!(w.state()["resources"]["aws_vpc.main"].is_object());

    // Its objects are now the next run's prior state, not that run's to roll back.
    // From a clean start: everything but the key is this run's, and all of it goes.
    moto.hubctl(&w, &["destroy", &w.arg(), "--auto-approve"], &[])
        .expect_code(0);
    w.write("main.tf", &key_only);
    moto.hubctl(&w, &["apply", &w.arg(), "--auto-approve"], &[])
        .expect_code(0);
    let key_id = w.state()["resources"]["aws_kms_key.k"]["attributes"]["id"].clone();
    w.write("main.tf", &quick);
    let out = through(
        &moto,
        &proxy,
        &w,
        &["apply", &w.arg(), "--auto-approve", "--on-failure=rollback"],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stdout.contains("Rolling back"), "{}", out.stdout);
    let state = w.state();
    let left: Vec<&String> = state["resources"]
        .as_object()
        .expect("resources")
        .keys()
        .collect();
    assert_eq!(left, ["aws_kms_key.k"], "{}", out.all());
    assert_eq!(
        state["resources"]["aws_kms_key.k"]["attributes"]["id"],
        key_id
    );
    assert_eq!(tagged_count(&moto).await, 0);
    let client = configure(&moto).await;
    let roles = aws(&client)
        .iam
        .list_roles()
        .send()
        .await
        .expect("ListRoles");
    assert!(
        roles.roles().iter().all(|r| r.role_name() != "faults-role"),
        "the role this run created is gone"
    );
}

/// A run killed while its create call is still on the way: AWS carries the call out after
/// the next run has started and looked for the object once. The proxy holds `CreateKey`
/// for 4 s; the first run is killed while it waits, and the next one, finding nothing at
/// first, must look again before creating (`HUBCTL_RECOVERY_SETTLE`) and adopt the key the
/// late call made: one key, not two. Found by `scripts/chaos.sh` in CI (a KMS key
/// duplicated after a kill 10 ms into its create).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_carried_out_after_its_run_was_killed_is_adopted() {
    let moto = Moto::start();
    let proxy = Proxy::start(
        &moto.endpoint,
        &["--rule=CreateKey=late:1", "--late-ms=4000"],
    );
    let w = Work::empty();
    w.write(
        "main.tf",
        "provider \"aws\" {\n  region = \"us-east-1\"\n}\nresource \"aws_kms_key\" \"k\" {\n  description = \"late\"\n}\n",
    );
    let dir = w.arg();
    let endpoint = [("AWS_ENDPOINT_URL", proxy.endpoint())];
    let mut first = moto
        .hubctl_command(&w, &["apply", &dir, "-auto-approve"], &endpoint)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the first apply");
    let start = std::time::Instant::now();
    while proxy.report()["late"]["count"] != 1 {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "CreateKey never reached the proxy"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let held = std::time::Instant::now();
    first.kill().expect("kill the first apply");
    let _ = first.wait();
    assert_eq!(
        crate::conformance_iam::live_keys(&configure(&moto).await).await,
        0
    );

    let settle = ("HUBCTL_RECOVERY_SETTLE", "8".to_string());
    let out = moto.hubctl(&w, &["apply", &dir, "-auto-approve"], &[settle]);
    out.expect_code(0);
    // Count once the held call has surely been carried out (4 s after the proxy got it).
    let landed = held + std::time::Duration::from_secs(5);
    std::thread::sleep(landed.saturating_duration_since(std::time::Instant::now()));
    let live = crate::conformance_iam::live_keys(&configure(&moto).await).await;
    assert_eq!(live, 1, "one KMS key, not two:\n{}", out.stdout);
    assert!(
        out.stdout.contains("aws_kms_key.k: Adopted "),
        "the late key is adopted:\n{}",
        out.stdout
    );
}

/// The state in S3 with its DynamoDB lock, every mutating call's first answer lost (each
/// state and journal PutObject, the lock's PutItem and DeleteItem): the SDK's retry meets
/// its own first attempt (a failed `If-Match`, a taken lock), and hubctl knows it for its
/// own write. The apply succeeds and the stored state is the applied one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_writes_and_the_lock_survive_lost_answers() {
    let moto = Moto::start();
    let (w, dir) = crate::s3_cli::bootstrapped(&moto);
    let proxy = Proxy::start(&moto.endpoint, &["--drop-each-once"]);
    let main = w.read("main.tf").replace(&moto.endpoint, &proxy.endpoint());
    w.write("main.tf", &main);
    let out = crate::s3_cli::cli(&w, &["apply", &dir, "--auto-approve"]);
    out.expect_code(0);
    let dropped: Vec<String> = proxy.report()["drop"]["ops"]
        .as_array()
        .map(|a| a.iter().map(|o| o.to_string()).collect())
        .unwrap_or_default();
    assert!(
        dropped.iter().any(|o| o.contains("PUT ")) && dropped.iter().any(|o| o.contains("PutItem")),
        "state writes and the lock lost answers: {dropped:?}"
    );
    let again = crate::s3_cli::cli(&w, &["plan", &dir, "--detailed-exitcode"]);
    assert_eq!(
        again.code,
        0,
        "the applied state was stored\n{}",
        again.all()
    );
}
