//! Core-only memory and time profile of the engine's phases on N `terraform_data`
//! resources, without the CLI (so it builds in minutes, not the AWS SDK's 40).
//!
//! The configuration is the one `benches/graph.sh` generates (shapes `wide`, `chain`,
//! `layered`), split into files of 10,000 resources. One run is one CLI-like step, so the process's peak RSS (VmHWM) is that
//! step's: `plan` (load, prepare, plan), `apply` (the same, then apply, writing
//! `DIR/state.json`), `noop-plan` (read that state, load, prepare, plan; must show no
//! changes). Per stage it reports the wall time, the RSS at its end (what the stage left
//! allocated, e.g. the loaded configuration and graph) and the RSS peak during it: the
//! answer to "which phase holds the memory". (The workspace forbids `unsafe`, so there is
//! no counting allocator; RSS is what the CLI's users see anyway.)
//!
//! Usage: `load_plan --shape wide --n 10000 --dir DIR --step plan|apply|noop-plan
//! [--per-file 10000]` (DIR is
//! scratch: `plan` and `apply` replace it with a fresh configuration).
//! Output: one tab-separated line per stage (`stage ms rss_end_bytes rss_peak_bytes`), then
//! `total ms`.
#![allow(clippy::disallowed_macros)] // a measuring tool: its output is its stdout

use hubctl_core::apply::apply;
use hubctl_core::plan::driver::{make_plan, prepare};
use hubctl_core::plan::{PlanOptions, Silent};
use hubctl_core::provider::Registry;
use hubctl_core::state::{Backend, LocalBackend, State};
use hubctl_core::walk::{Mode, Run, RunInputs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// A field of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`).
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// One stage's measurement, printed when the stage ends. Its peak is the RSS high-water mark
/// since the stage started: writing 5 to `/proc/self/clear_refs` resets VmHWM to the
/// current RSS (Linux 4.0+).
struct Stage {
    name: &'static str,
    t0: Instant,
}

impl Stage {
    fn start(name: &'static str) -> Stage {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        Stage {
            name,
            t0: Instant::now(),
        }
    }
    fn end(self) {
        println!(
            "{}\t{:.1}\t{}\t{}",
            self.name,
            self.t0.elapsed().as_secs_f64() * 1e3,
            status_bytes("VmRSS"),
            status_bytes("VmHWM"),
        );
    }
}

/// Resources per generated file unless `--per-file` says: a file may not exceed 16 MiB
/// ([`MAX_FILE_BYTES`]), which 100,000 resources in one file would.
///
/// [`MAX_FILE_BYTES`]: hubctl_core::config::MAX_FILE_BYTES
const PER_FILE: usize = 10_000;

/// The configuration of `benches/graph.sh`'s generator, byte for byte, as (file name, text):
/// the variable, local and output in `main.tf`, the resources `per_file` to a file.
fn generate(shape: &str, n: usize, per_file: usize) -> Vec<(String, String)> {
    use std::fmt::Write as _;
    let mut main = String::new();
    main.push_str("variable \"revision\" {\n  type    = number\n  default = 1\n}\n\n");
    let _ = write!(main, "locals {{\n  prefix = \"bench-{shape}\"\n}}\n\n");
    let _ = write!(
        main,
        "output \"last\" {{\n  value = terraform_data.n{}.output.name\n}}\n",
        n - 1
    );
    let mut files = vec![("main.tf".to_string(), main)];
    let w = n.div_ceil(10);
    for i in 0..n {
        if i % per_file == 0 {
            files.push((format!("resources-{:05}.tf", i / per_file), String::new()));
        }
        let dep = |j: usize| format!("terraform_data.n{j}.output.name");
        let deps = match shape {
            "chain" if i > 0 => dep(i - 1),
            "layered" if i >= w => {
                let (layer, pos) = (i / w, i % w);
                let base = (layer - 1) * w;
                let mut d = dep(base + pos);
                if w > 1 {
                    d = format!("{d}, {}", dep(base + (pos + 1) % w));
                }
                d
            }
            _ => String::new(),
        };
        let s = &mut files.last_mut().expect("a resource file").1;
        let _ = write!(
            s,
            "resource \"terraform_data\" \"n{i}\" {{\n  input = {{\n    name  = \"${{local.prefix}}-n{i}\"\n    index = {i}\n    deps  = [{deps}]\n  }}\n  triggers_replace = [var.revision, \"n{i}\"]\n}}\n\n"
        );
    }
    files
}

fn run(p: &hubctl_core::plan::driver::Prepared, dir: &Path, prior: State, mode: Mode) -> Arc<Run> {
    Arc::new(Run::new(RunInputs {
        config: p.config.clone(),
        graph: Arc::new(p.graph.clone()),
        registry: Registry::with_builtins(),
        root_dir: dir.to_path_buf(),
        base_dir: dir.to_path_buf(),
        cwd: dir.to_path_buf(),
        mode,
        destroy: false,
        vars: Default::default(),
        prior: Arc::new(prior),
        parallelism: 10,
        targets: Vec::new(),
        excludes: Vec::new(),
    }))
}

struct Args {
    shape: String,
    n: usize,
    dir: PathBuf,
    step: String,
    per_file: usize,
}

fn args() -> Args {
    let mut a = Args {
        shape: "wide".into(),
        n: 1000,
        dir: std::env::temp_dir().join("hubctl-load-plan"),
        step: "plan".into(),
        per_file: PER_FILE,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--shape" => a.shape = v,
            "--n" => a.n = v.parse().expect("--n is a number"),
            "--dir" => a.dir = v.into(),
            "--step" => a.step = v,
            "--per-file" => a.per_file = v.parse().expect("--per-file is a number"),
            other => panic!("unknown option {other}"),
        }
    }
    a
}

async fn main_async(a: Args) {
    let registry = Registry::with_builtins();
    let backend: Arc<dyn Backend> = Arc::new(LocalBackend::new(a.dir.join("state.json")));
    let s = Stage::start("read-state");
    let mut prior = match a.step.as_str() {
        "noop-plan" => backend.load().await.expect("state").expect("a state"),
        _ => State::new(),
    };
    s.end();
    let s = Stage::start("load+prepare");
    let (p, d) = prepare(&a.dir, &registry);
    let p = p.unwrap_or_else(|| panic!("{d:?}"));
    s.end();
    let s = Stage::start("plan");
    // Only apply needs the prior state again (empty there); the CLI does not copy it either.
    let for_plan = match a.step.as_str() {
        "apply" => prior.clone(),
        _ => std::mem::replace(&mut prior, State::new()),
    };
    let (moved, moves) = hubctl_core::plan::moves::refactor(&p.config.root, for_plan);
    let r = run(&p, &a.dir, moved, Mode::Plan);
    let opts = PlanOptions {
        moves,
        ..PlanOptions::default()
    };
    let (plan, d) = make_plan(r, opts, p.config_hash.clone(), true).await;
    assert!(!d.has_errors(), "{d:?}");
    s.end();
    match a.step.as_str() {
        "noop-plan" => assert!(!plan.has_changes(), "the no-op plan shows changes"),
        "apply" => {
            let s = Stage::start("apply");
            let r = run(&p, &a.dir, prior.clone(), Mode::Apply);
            let (state, d) = apply(
                r,
                Arc::new(plan),
                &Default::default(),
                Arc::new(Silent),
                backend,
                prior,
            )
            .await;
            assert!(!d.has_errors(), "{d:?}");
            let state = state.expect("state");
            assert_eq!(state.resources.len(), a.n, "instances in the state");
            s.end();
        }
        _ => {}
    }
}

fn main() {
    let a = args();
    std::fs::create_dir_all(&a.dir).expect("mkdir");
    if a.step != "noop-plan" {
        let _ = std::fs::remove_dir_all(&a.dir);
        std::fs::create_dir_all(&a.dir).expect("mkdir");
        for (name, text) in generate(&a.shape, a.n, a.per_file.max(1)) {
            std::fs::write(a.dir.join(name), text).expect("write");
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let t0 = Instant::now();
    rt.block_on(main_async(a));
    println!("total\t{:.1}", t0.elapsed().as_secs_f64() * 1e3);
}
