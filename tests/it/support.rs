//! The harness: copies a fixture into a temp dir and runs the real binary against it.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The result of one `hubctl` run.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Everything the user saw, for "must never appear" checks.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Panics with the output when the exit code is not `code`: stderr first and whole,
    /// then stdout's last lines, so a long plan does not push the error out of a CI log.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            code,
            "unexpected exit code\n--- stderr\n{}\n--- stdout (last 60 lines)\n{}",
            self.stderr,
            tail(&self.stdout, 60)
        );
        self
    }
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A private, writable copy of a fixture module tree.
pub struct Work {
    tmp: tempfile::TempDir,
}

impl Work {
    /// Copies `tests/fixtures/<name>` into a fresh temp dir.
    pub fn fixture(name: &str) -> Work {
        let w = Work::empty();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_dir(&src, w.dir());
        w
    }

    /// An empty temp dir, for generated configurations.
    pub fn empty() -> Work {
        Work {
            tmp: tempfile::Builder::new()
                .prefix("hubctl-it-")
                .tempdir()
                .expect("create temp dir"),
        }
    }

    pub fn dir(&self) -> &Path {
        self.tmp.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir().join(rel)
    }

    /// Writes (or overwrites) a file relative to the root module.
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("create parent dir");
        }
        fs::write(p, text).expect("write file");
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).expect("read file")
    }

    pub fn state_path(&self) -> PathBuf {
        self.path(".hubctl/state.json")
    }

    pub fn journal_path(&self) -> PathBuf {
        self.path(".hubctl/state.json.journal")
    }

    pub fn lock_path(&self) -> PathBuf {
        self.path(".hubctl/state.json.lock")
    }

    /// The raw state file, to prove a failed run left it untouched.
    pub fn state_bytes(&self) -> Vec<u8> {
        fs::read(self.state_path()).expect("state file exists")
    }

    pub fn state(&self) -> serde_json::Value {
        serde_json::from_slice(&self.state_bytes()).expect("state file is JSON")
    }

    /// A `Command` for the binary, in the fixture dir, without a terminal.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hubctl"));
        c.arg("--no-color")
            .args(args)
            .current_dir(self.dir())
            .env_remove("HUBCTL_LOG")
            .stdin(Stdio::null());
        c
    }

    /// Runs `hubctl --no-color <args>` to completion.
    pub fn run(&self, args: &[&str]) -> Out {
        let o = self.command(args).output().expect("run hubctl");
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// The root dir as a command-line argument.
    pub fn arg(&self) -> String {
        self.dir().display().to_string()
    }

    /// `apply --auto-approve` that must succeed.
    pub fn apply_ok(&self, extra: &[&str]) -> Out {
        let dir = self.arg();
        let mut args = vec!["apply", dir.as_str(), "--auto-approve"];
        args.extend_from_slice(extra);
        let o = self.run(&args);
        o.expect_code(0);
        o
    }

    /// `plan --detailed-exitcode` for the root dir.
    pub fn plan(&self, extra: &[&str]) -> Out {
        let dir = self.arg();
        let mut args = vec!["plan", dir.as_str(), "--detailed-exitcode"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Replaces this temp dir's path with `[DIR]` so snapshots are stable.
    pub fn redact(&self, text: &str) -> String {
        let dir = self.arg();
        let canon = fs::canonicalize(self.dir())
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| dir.clone());
        text.replace(&canon, "[DIR]").replace(&dir, "[DIR]")
    }
}

pub fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).expect("create dir");
    for entry in fs::read_dir(src).unwrap_or_else(|e| panic!("{}: {e}", src.display())) {
        let entry = entry.expect("dir entry");
        let to = dst.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            fs::copy(entry.path(), &to).expect("copy file");
        }
    }
}

/// Resource addresses in a state JSON document.
pub fn resource_addrs(state: &serde_json::Value) -> Vec<String> {
    match &state["resources"] {
        serde_json::Value::Object(m) => m.keys().cloned().collect(),
        serde_json::Value::Array(a) => a
            .iter()
            .filter_map(|r| r["address"].as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A `hubctl` process left running, with its standard input open (to answer a prompt) and
/// its output collected as it comes, so a test can act at a known point of the run.
pub struct Running {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    out: std::sync::Arc<std::sync::Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Spawns `c` with piped standard streams.
    pub fn spawn(mut c: Command) -> Running {
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn hubctl");
        let out = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut readers = Vec::new();
        let streams: [Box<dyn std::io::Read + Send>; 2] = [
            Box::new(child.stdout.take().expect("stdout")),
            Box::new(child.stderr.take().expect("stderr")),
        ];
        for mut stream in streams {
            let out = out.clone();
            readers.push(std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    out.lock().expect("output buffer").push_str(&text);
                }
            }));
        }
        Running {
            stdin: child.stdin.take(),
            child,
            out,
            readers,
        }
    }

    /// The process ID (to send it signals).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything printed so far (stdout and stderr interleaved).
    pub fn output(&self) -> String {
        self.out.lock().expect("output buffer").clone()
    }

    /// Waits (up to a minute) until the output contains `needle`.
    #[track_caller]
    pub fn wait_for(&mut self, needle: &str) {
        let start = std::time::Instant::now();
        while !self.output().contains(needle) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "hubctl exited ({status}) before printing {needle:?}:\n{}",
                    self.output()
                );
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(60),
                "no {needle:?} within a minute:\n{}",
                self.output()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Writes one line to the process's standard input.
    pub fn answer(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").expect("write to hubctl");
    }

    /// Kills the process (SIGKILL), as a crash or a cancelled CI job would.
    pub fn kill(mut self) {
        self.child.kill().expect("kill hubctl");
        let _ = self.child.wait();
    }

    /// Waits for the exit; closes standard input first.
    pub fn finish(mut self) -> Out {
        drop(self.stdin.take());
        let status = self.child.wait().expect("wait for hubctl");
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        Out {
            code: status.code().unwrap_or(-1),
            stdout: self.output(),
            stderr: String::new(),
        }
    }
}
