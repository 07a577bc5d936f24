//! `hubctl show --html PLANFILE` in a real browser: a saved plan with a replacement, updates,
//! a create, a destroy and a sensitive variable is rendered to one HTML file, which headless
//! Chromium (Debian's package; `scripts/chromium.sh` installs it) opens from disk with the
//! network off. The test reads what the browser built (the DOM after the page's script ran)
//! and what it painted (a screenshot, kept under the target folder as the test's artifact):
//! the node of each action in its colour, the apply waves, the redaction of the secret.

use crate::support::Work;
use std::path::{Path, PathBuf};
use std::process::Command;

const V1: &str = r#"
variable "token" {
  type      = string
  sensitive = true
  default   = "tok-SECRET-4242"
}

resource "terraform_data" "network" {
  input            = "10.0.0.0/16"
  triggers_replace = "v1"
}

resource "terraform_data" "subnet" {
  for_each = toset(["a", "b"])
  input    = "${terraform_data.network.output}/${each.key}"
}

resource "terraform_data" "cluster" {
  input = { subnets = [for s in terraform_data.subnet : s.output], token = var.token }
}

resource "terraform_data" "old" {
  input = "goes away"
}
"#;

/// Chromium, as `scripts/chromium.sh` found or installed it.
fn chromium() -> PathBuf {
    let found = std::env::var("HUBCTL_CHROMIUM")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| {
            let out = Command::new("bash")
                .arg("-c")
                .arg("command -v chromium")
                .output()
                .ok()?;
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        });
    PathBuf::from(found.expect("no Chromium: run scripts/chromium.sh (scripts/test.sh does)"))
}

/// Runs headless Chromium on `page` with `args` (network features off, a fresh profile).
fn headless(page: &Path, profile: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// How many pixels of the screenshot have exactly `rgb`.
fn pixels_of(png_file: &Path, rgb: [u8; 3]) -> usize {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_file).expect("open png"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let step = info.color_type.samples();
    buf[..info.buffer_size()]
        .chunks(step)
        .filter(|p| p[..3] == rgb)
        .count()
}

// Where the screenshot was kept is shown with `--nocapture`.
#[allow(clippy::disallowed_macros)]
#[test]
fn the_plan_page_shows_each_action_in_its_colour_in_a_real_browser() {
    let w = Work::empty();
    w.write("main.tf", V1);
    w.run(&["apply", "-auto-approve"]).expect_code(0);
    // v2: the network is replaced (so the subnets and the cluster change), `old` goes,
    // `addon` comes.
    let v2 = V1.replace("triggers_replace = \"v1\"", "triggers_replace = \"v2\"");
    let v2 = v2.replace(
        "resource \"terraform_data\" \"old\" {\n  input = \"goes away\"\n}",
        "resource \"terraform_data\" \"addon\" {\n  input = terraform_data.cluster.output\n}",
    );
    w.write("main.tf", &v2);
    w.run(&["plan", "-out=plan.hubplan"]).expect_code(0);
    let show = w.run(&["show", "--html", "plan.hubplan"]);
    show.expect_code(0);
    assert!(
        !show.stdout.contains("tok-SECRET-4242"),
        "the secret in the page"
    );
    let page = w.path("plan.html");
    std::fs::write(&page, &show.stdout).expect("write plan.html");

    let dom = headless(&page, &w.path("profile-dom"), &["--dump-dom"]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page's script did not run:\n{dom}"
    );
    assert!(
        dom.contains("Plan: 2 to add, 3 to change, 2 to destroy."),
        "{dom}"
    );
    for (addr, action, wave) in [
        ("terraform_data.network", "replace", Some(1)),
        ("terraform_data.subnet", "update", Some(2)),
        ("terraform_data.cluster", "update", Some(3)),
        ("terraform_data.addon", "create", Some(4)),
        ("terraform_data.old", "delete", None),
    ] {
        let node = dom
            .split("<g ")
            .find(|g| g.contains(&format!("data-address=\"{addr}\"")))
            .unwrap_or_else(|| panic!("no node {addr} in\n{dom}"));
        assert!(
            node.contains(&format!("data-action=\"{action}\"")),
            "{addr}: {node}"
        );
        if let Some(wave) = wave {
            assert!(
                node.contains(&format!("data-wave=\"{wave}\"")),
                "{addr}: {node}"
            );
        }
    }
    assert!(
        dom.contains("forces replacement: <code>triggers_replace</code>"),
        "{dom}"
    );
    assert!(!dom.contains("tok-SECRET-4242"));

    // What a reviewer sees: every action's fill colour is painted.
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("show-html");
    std::fs::create_dir_all(&shots).expect("artifact dir");
    let shot = shots.join("plan.png");
    let arg = format!("--screenshot={}", shot.display());
    headless(
        &page,
        &w.path("profile-shot"),
        &[&arg, "--window-size=1600,1000"],
    );
    eprintln!("screenshot: {}", shot.display());
    for (what, rgb) in [
        ("replace", [0xff, 0xd9, 0xc7]),
        ("update", [0xff, 0xf3, 0xc4]),
        ("create", [0xd8, 0xf5, 0xdc]),
        ("delete", [0xff, 0xd6, 0xd6]),
    ] {
        let n = pixels_of(&shot, rgb);
        assert!(
            n > 2000,
            "{what}: only {n} pixels of its colour in {}",
            shot.display()
        );
    }
}
