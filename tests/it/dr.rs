//! Disaster recovery of the shipped staging environment, as docs/runbooks/hub-rebuild.md
//! says to do it. The drill applies all five units (the argocd unit to the test's API
//! server), deletes the EKS cluster, its node group, the NAT gateways and the ArgoCD
//! objects behind hubctl's back (through the emulator and the API server), then runs every
//! `sh` step of the runbook literally and checks each step's `text` lines in its output.
//! Afterwards everything is back: a new cluster with a new OIDC issuer, the OIDC provider
//! and every IRSA trust policy pointing at it, the NAT gateways, the ApplicationSet and the
//! cluster Secrets. A second drill corrupts a unit's latest state object.

use crate::live_hub::{argocd_on_the_local_api_server, repo_tree};
use crate::moto::Moto;
use crate::support::{Out, Work};
use std::path::Path;
use std::process::{Command, Stdio};

const RUNBOOK: &str = "docs/runbooks/hub-rebuild.md";

/// One step of the runbook: its commands, the exit code they must give, and the lines the
/// `text` block under it says the output shows.
#[derive(Debug)]
struct Step {
    commands: Vec<String>,
    exit: i32,
    expect: Vec<String>,
}

/// The runbook's steps: each ```sh block (```sh exit=N when it must exit N), with the
/// ```text block that follows it, if any, before the next step.
fn runbook_steps(text: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let body: Vec<String> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        let mut words = info.split_whitespace();
        match words.next() {
            Some("sh") => {
                let exit = words
                    .find_map(|w| w.strip_prefix("exit="))
                    .map_or(0, |n| n.parse().expect("exit=N"));
                steps.push(Step {
                    commands: body,
                    exit,
                    expect: Vec::new(),
                });
            }
            Some("text") => {
                let step = steps.last_mut().expect("a text block after a step");
                step.expect.extend(body);
            }
            other => panic!("{RUNBOOK}: a ```{other:?} block is neither a step nor its output"),
        }
    }
    steps
}

/// Runs each step's commands with bash in `w`, `hubctl` on the PATH and `$ENV` set, against
/// `moto`; returns every command's output, in order.
// What each step printed (the rebuild's timed report: the RTO) is shown with `--nocapture`.
#[allow(clippy::disallowed_macros)]
fn follow_runbook(moto: &Moto, w: &Work, env: &str) -> Vec<(String, Out)> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(repo.join(RUNBOOK)).expect("read the runbook");
    let steps = runbook_steps(&text);
    assert!(steps.len() >= 4, "{RUNBOOK} has {} steps", steps.len());
    let bin = Path::new(env!("CARGO_BIN_EXE_hubctl"))
        .parent()
        .expect("bin dir");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut outs = Vec::new();
    for step in &steps {
        let mut last = None;
        for cmd in &step.commands {
            let mut c = Command::new("bash");
            c.args(["-euc", cmd])
                .current_dir(w.dir())
                .env("PATH", &path)
                .env("ENV", env)
                .env("HOME", w.dir())
                .env_remove("HUBCTL_LOG")
                .stdin(Stdio::null());
            for (k, v) in moto.env() {
                c.env(k, v);
            }
            let o = c.output().expect("run bash");
            let out = Out {
                code: o.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            };
            eprintln!("$ {cmd}\n{}", out.stdout);
            assert_eq!(out.code, step.exit, "`{cmd}` exit code:\n{}", out.all());
            last = Some(out.all());
            outs.push((cmd.clone(), out));
        }
        let seen = last.unwrap_or_default();
        for want in &step.expect {
            let want = want.replace("$ENV", env);
            assert!(
                seen.contains(&want),
                "{RUNBOOK}: no {want:?} after {:?}:\n{seen}",
                step.commands
            );
        }
    }
    outs
}

/// The staging tree with its backend bootstrapped and all five units applied.
fn applied_staging(moto: &Moto) -> Work {
    let w = repo_tree("staging");
    argocd_on_the_local_api_server(&w, "staging");
    moto.hubctl(&w, &["init", "--all", "--bootstrap", "live/staging"], &[])
        .expect_code(0);
    let apply = moto.hubctl(
        &w,
        &["apply", "--all", "live/staging", "--auto-approve"],
        &[],
    );
    apply.expect_code(0);
    w
}

fn issuer(moto: &Moto) -> String {
    let c = moto.rest("eks", "/clusters/hub-staging");
    c["cluster"]["identity"]["oidc"]["issuer"]
        .as_str()
        .expect("an issuer")
        .to_string()
}

fn nat_gateways(moto: &Moto) -> Vec<String> {
    let xml = moto.ec2("DescribeNatGateways&Filter.1.Name=state&Filter.1.Value.1=available");
    xml.split("<natGatewayId>")
        .skip(1)
        .filter_map(|r| r.split('<').next())
        .map(str::to_string)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The trust policies (URL-encoded, as IAM's query API returns them) of the roles that trust
/// an OIDC provider.
fn irsa_trust_policies(moto: &Moto) -> Vec<String> {
    let xml = moto.query("iam", "Action=ListRoles&Version=2010-05-08&MaxItems=1000");
    xml.split("<AssumeRolePolicyDocument>")
        .skip(1)
        .filter_map(|r| r.split('<').next())
        .filter(|doc| doc.contains("oidc-provider"))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_runbook_rebuilds_a_hub_deleted_behind_hubctls_back() {
    let _crds = crate::argocd::ARGO_CRDS
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let moto = Moto::start();
    let w = applied_staging(&moto);
    let old = issuer(&moto);
    let old_id = old.rsplit('/').next().expect("issuer id").to_string();
    let nats = nat_gateways(&moto);
    assert!(!nats.is_empty(), "NAT gateways after the apply");
    let trusts = irsa_trust_policies(&moto);
    assert!(!trusts.is_empty() && trusts.iter().all(|t| t.contains(&old_id)));

    // Behind hubctl's back: the cluster and its node group, every NAT gateway, the ArgoCD
    // ApplicationSet and cluster Secrets.
    let groups = moto.rest("eks", "/clusters/hub-staging/node-groups");
    for g in groups["nodegroups"].as_array().expect("node groups") {
        let g = g.as_str().expect("a name");
        assert!(moto.rest_delete("eks", &format!("/clusters/hub-staging/node-groups/{g}")));
    }
    assert!(moto.rest_delete("eks", "/clusters/hub-staging"));
    for id in &nats {
        moto.ec2(&format!("DeleteNatGateway&NatGatewayId={id}"));
    }
    assert!(nat_gateways(&moto).is_empty());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = rt.block_on(crate::kube::cluster().client());
    let kube = crate::kube::kube(&client);
    let appset = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets/spoke-fleet";
    let secrets = "/api/v1/namespaces/argocd/secrets?labelSelector=argocd.argoproj.io%2Fsecret-type%3Dcluster";
    for path in [appset, secrets] {
        rt.block_on(kube.request("DELETE", path, None))
            .unwrap_or_else(|e| panic!("DELETE {path}: {e}"));
    }
    let hub_secret = "/api/v1/namespaces/argocd/secrets/hub-cluster";
    assert!(rt.block_on(crate::kube::get(&client, hub_secret)).is_none());

    let outs = follow_runbook(&moto, &w, "staging");

    // The check saw what was gone; the rebuild timed its phases.
    let ran = |what: &str| {
        let found = outs.iter().find(|(c, _)| c.contains(what));
        &found
            .unwrap_or_else(|| panic!("the runbook runs no {what}"))
            .1
    };
    let check = ran("dr check");
    for gone in [
        "aws_eks_cluster.this",
        "aws_nat_gateway",
        "kubernetes_manifest.spoke_fleet",
        "kubernetes_secret_v1.hub_cluster",
    ] {
        assert!(
            check.stdout.contains(gone),
            "the check names no missing {gone}:\n{}",
            check.stdout
        );
    }
    let rebuild = ran("dr rebuild");
    for phase in [
        "  check ",
        "  restore ",
        "  converge ",
        "  verify ",
        "  total ",
    ] {
        assert!(
            rebuild.stdout.contains(phase),
            "no {phase:?} phase in\n{}",
            rebuild.stdout
        );
    }

    // Everything is back, the trust policies on the new cluster's issuer.
    let new = issuer(&moto);
    let new_id = new.rsplit('/').next().expect("issuer id").to_string();
    assert_ne!(old, new, "the rebuilt cluster has a new OIDC issuer");
    let before = trusts.len();
    let trusts = irsa_trust_policies(&moto);
    assert_eq!(trusts.len(), before, "{trusts:?}");
    assert!(
        trusts
            .iter()
            .all(|t| t.contains(&new_id) && !t.contains(&old_id)),
        "IRSA trust policies not re-pointed to {new}: {trusts:?}"
    );
    let providers = moto.query(
        "iam",
        "Action=ListOpenIDConnectProviders&Version=2010-05-08",
    );
    assert!(
        providers.contains(&new_id) && !providers.contains(&old_id),
        "{providers}"
    );
    assert_eq!(nat_gateways(&moto).len(), nats.len(), "NAT gateways back");
    assert!(
        rt.block_on(crate::kube::get(&client, appset)).is_some(),
        "spoke-fleet back"
    );
    let hub = rt
        .block_on(crate::kube::get(&client, hub_secret))
        .expect("hub-cluster back");
    assert_eq!(
        hub["metadata"]["annotations"]["hub.platform/cluster-name"],
        "hub-staging"
    );
}

#[test]
fn a_corrupt_state_object_is_found_and_restored_from_its_last_good_version() {
    let moto = Moto::start();
    let w = repo_tree("staging");
    let run = |args: &[&str]| moto.hubctl(&w, args, &[]);
    let hub = ["live/staging", "--queue-exclude-dir", "**/argocd"];
    run(&["init", "--all", "--bootstrap", "live/staging"]).expect_code(0);
    run(&[&["apply", "--all"], &hub[..], &["--auto-approve"]].concat()).expect_code(0);
    let key = "staging/network/terraform.tfstate";
    let good = newest_version(&moto, key);

    // The latest object is overwritten with something that is no state.
    moto.s3_put(
        &format!("/hubctl-state-staging/{key}"),
        "{\"not\": \"a state\"",
    )
    .expect("PutObject");
    assert_ne!(newest_version(&moto, key), good);
    let check = run(&[&["dr", "check"], &hub[..]].concat());
    assert_eq!(check.code, 2, "{}", check.all());
    let network = check
        .stdout
        .split("\nlive/staging/")
        .find(|u| u.starts_with("network"))
        .expect("network");
    assert!(network.contains("UNREADABLE"), "{network}");
    assert!(network.contains(&format!("last good {good} ")), "{network}");
    let json = run(&[&["dr", "check", "--json"], &hub[..]].concat());
    let report: serde_json::Value =
        serde_json::from_str(&json.stdout).unwrap_or_else(|e| panic!("{e}: {}", json.all()));
    let units = report["units"].as_array().expect("units");
    let restore: Vec<&str> = units.iter().filter_map(|u| u["restore"].as_str()).collect();
    assert_eq!(restore, [good.as_str()], "{report}");
    // The others read their dependency's outputs from the last good version: nothing to do.
    assert!(units.iter().all(|u| u["failed"] == false), "{report}");

    let rebuild = run(&[&["dr", "rebuild"], &hub[..], &["-auto-approve"]].concat());
    rebuild.expect_code(0);
    assert!(
        rebuild.stdout.contains(&format!(
            "live/staging/network: version {good} restored as serial"
        )),
        "{}",
        rebuild.stdout
    );
    let after = run(&[&["dr", "check"], &hub[..]].concat());
    assert_eq!(after.code, 0, "{}", after.all());
    assert!(
        after.stdout.contains("Healthy: nothing to rebuild."),
        "{}",
        after.stdout
    );
}

/// The newest version id of `key` in the staging state bucket.
fn newest_version(moto: &Moto, key: &str) -> String {
    let xml = moto
        .s3_get(&format!("/hubctl-state-staging?versions&prefix={key}"))
        .expect("ListObjectVersions");
    let latest = xml
        .split("<Version>")
        .skip(1)
        .find(|v| v.contains("<IsLatest>true</IsLatest>"))
        .unwrap_or_else(|| panic!("no latest version in {xml}"));
    let id = latest
        .split("<VersionId>")
        .nth(1)
        .and_then(|r| r.split('<').next());
    id.expect("a version id").to_string()
}

const OPTIONAL_TF: &str = r#"variable "extra" {
  type    = bool
  default = true
}

resource "terraform_data" "keep" {
  input = "k"
}

resource "terraform_data" "extra" {
  count = var.extra ? 1 : 0
  input = "e"
}
"#;

/// A rebuild re-creates and re-points; a plan that would destroy something is refused, and
/// nothing is destroyed, until `--allow-destroy` says so.
#[test]
fn a_rebuild_refuses_to_destroy_unless_told_to() {
    let w = Work::empty();
    w.write("modules/m/main.tf", OPTIONAL_TF);
    let unit = |extra: bool| {
        format!("terraform {{\n  source = \"../../../modules//m\"\n}}\ninputs = {{\n  extra = {extra}\n}}\n")
    };
    w.write("live/dev/one/terragrunt.hcl", &unit(true));
    w.run(&["apply", "--all", "live/dev", "--auto-approve"])
        .expect_code(0);
    let state = "live/dev/one/.hubctl/work/m/.hubctl/state.json";
    assert!(w.read(state).contains("terraform_data.extra[0]"));

    w.write("live/dev/one/terragrunt.hcl", &unit(false));
    let refused = w.run(&["dr", "rebuild", "live/dev", "-auto-approve"]);
    refused.expect_code(1);
    assert!(
        refused
            .stderr
            .contains("Refusing to destroy during a rebuild"),
        "{}",
        refused.all()
    );
    assert!(
        refused.stderr.contains("terraform_data.extra[0]"),
        "{}",
        refused.all()
    );
    assert!(
        refused.stdout.contains("NOT recovered"),
        "{}",
        refused.stdout
    );
    assert!(
        w.read(state).contains("terraform_data.extra[0]"),
        "destroyed anyway"
    );

    let allowed = w.run(&[
        "dr",
        "rebuild",
        "live/dev",
        "-auto-approve",
        "--allow-destroy",
    ]);
    allowed.expect_code(0);
    assert!(!w.read(state).contains("terraform_data.extra[0]"));
    assert!(w.read(state).contains("terraform_data.keep"));
}

/// A rebuild killed in the middle (SIGKILL while the NAT gateways are being created, their
/// creates held back by the fault proxy) is finished by running it again: every gateway is
/// back once, none twice.
#[test]
fn a_rebuild_cut_off_mid_apply_resumes_when_run_again() {
    let moto = Moto::start();
    let w = repo_tree("staging");
    // The killed run's lease runs out after 3 s (60 s by default).
    let ttl = ("HUBCTL_LOCK_TTL", "3s".to_string());
    let run = |args: &[&str]| moto.hubctl(&w, args, std::slice::from_ref(&ttl));
    let hub = ["live/staging", "--queue-exclude-dir", "**/argocd"];
    run(&["init", "--all", "--bootstrap", "live/staging"]).expect_code(0);
    run(&[&["apply", "--all"], &hub[..], &["--auto-approve"]].concat()).expect_code(0);
    let nats = nat_gateways(&moto);
    for id in &nats {
        moto.ec2(&format!("DeleteNatGateway&NatGatewayId={id}"));
    }

    let proxy = crate::faults::Proxy::start(&moto.endpoint, &["--rule=CreateNatGateway=delay"]);
    let through = [("AWS_ENDPOINT_URL", proxy.endpoint()), ttl.clone()];
    let args = [&["dr", "rebuild"], &hub[..], &["-auto-approve"]].concat();
    let mut cut = crate::support::Running::spawn(moto.hubctl_command(&w, &args, &through));
    cut.wait_for("aws_nat_gateway.this[\"us-east-1a\"]: Creating...");
    cut.kill();

    let resumed = run(&args);
    resumed.expect_code(0);
    assert!(
        resumed.stdout.contains("under a lease of 3 s"),
        "{}",
        resumed.stdout
    );
    assert!(
        resumed.all().contains("Took over a stale state lock"),
        "{}",
        resumed.all()
    );
    assert!(
        resumed.stdout.contains("recovered: the time to recover"),
        "{}",
        resumed.stdout
    );
    let back = nat_gateways(&moto);
    assert_eq!(
        back.len(),
        nats.len(),
        "NAT gateways after the resumed rebuild: {back:?}"
    );
}
