//! Issue 14, "Bad input": a table of hostile inputs to the real binary, each with the error
//! it must end in: the exit code, the summary, where (file:line:column when there is a
//! place), the key words of the detail, and never a panic. Each row also has to finish fast
//! (a 50 MB file must not hang or eat gigabytes: files over 16 MiB are refused unread).

use crate::support::{Out, Work};
use std::time::{Duration, Instant};

/// What one hostile input must produce.
struct Expect<'a> {
    code: i32,
    summary: &'a str,
    /// `file:line:column` relative to the work dir, when the error has a place.
    at: Option<&'a str>,
    words: &'a [&'a str],
}

#[track_caller]
fn check(w: &Work, out: &Out, took: Duration, e: &Expect) {
    let all = out.all();
    out.expect_code(e.code);
    for bad in ["panicked at", "RUST_BACKTRACE", "stack overflow"] {
        assert!(!all.contains(bad), "{bad:?} in the output:\n{all}");
    }
    assert!(
        all.contains(&format!("error: {}", e.summary)),
        "summary {:?} missing:\n{all}",
        e.summary
    );
    if let Some(at) = e.at {
        let loc = format!("{}/{at}", w.arg());
        assert!(all.contains(&loc), "location {loc} missing:\n{all}");
    }
    for word in e.words {
        assert!(all.contains(word), "{word:?} missing:\n{all}");
    }
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

/// Writes `files` (raw bytes) into a fresh work dir, runs `validate` on it and checks `e`.
fn validate_row(files: &[(&str, Vec<u8>)], e: Expect) {
    let w = Work::empty();
    for (name, bytes) in files {
        let p = w.path(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
    }
    let t = Instant::now();
    let out = w.run(&["validate", &w.arg()]);
    check(&w, &out, t.elapsed(), &e);
}

fn text(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

#[test]
fn a_50_mb_file_is_refused_fast() {
    let line = "# padding padding padding padding padding padding padding padding padding\n";
    let big = line.repeat(50 * 1024 * 1024 / line.len() + 1);
    validate_row(
        &[("main.tf", text("locals {}\n")), ("big.tf", text(&big))],
        Expect {
            code: 1,
            summary: "Configuration file too large",
            at: None,
            words: &["big.tf is larger than 16 MiB", "Split it"],
        },
    );
}

#[test]
fn nesting_10000_deep_is_a_syntax_error() {
    let n = 10_000;
    let deep = format!("locals {{\n  x = {}1{}\n}}\n", "[".repeat(n), "]".repeat(n));
    validate_row(
        &[("main.tf", text(&deep))],
        Expect {
            code: 1,
            summary: "Syntax error",
            at: Some("main.tf:2:71"),
            words: &["at most 64 nested levels"],
        },
    );
}

#[test]
fn invalid_utf8_and_nul_bytes_are_located() {
    validate_row(
        &[(
            "main.tf",
            b"locals {\n  a = \"ok\"\n  b = \"\xff\xfe\"\n}\n".to_vec(),
        )],
        Expect {
            code: 1,
            summary: "Invalid character encoding",
            at: Some("main.tf:3:8"),
            words: &["must be UTF-8 encoded"],
        },
    );
    validate_row(
        &[("main.tf", b"locals {\n  b = 1\x00\n}\n".to_vec())],
        Expect {
            code: 1,
            summary: "Invalid character",
            at: Some("main.tf:2:8"),
            words: &["U+0000", "not used within the language"],
        },
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_in_a_module_tree() {
    use std::os::unix::fs::symlink;
    // Two links pointing at each other, as a module source.
    let w = Work::empty();
    w.write("main.tf", "module \"m\" {\n  source = \"./a\"\n}\n");
    symlink("b", w.path("a")).expect("symlink");
    symlink("a", w.path("b")).expect("symlink");
    let t = Instant::now();
    let out = w.run(&["validate", &w.arg()]);
    let e = Expect {
        code: 1,
        summary: "Module source not found",
        at: Some("main.tf:2:12"),
        words: &["cannot be read", "symbolic links"],
    };
    check(&w, &out, t.elapsed(), &e);
    // A link inside a module back to the module's own folder.
    let w = Work::empty();
    w.write("main.tf", "module \"m\" {\n  source = \"./m\"\n}\n");
    w.write(
        "m/main.tf",
        "module \"again\" {\n  source = \"./loop\"\n}\n",
    );
    symlink(".", w.path("m/loop")).expect("symlink");
    let t = Instant::now();
    let out = w.run(&["validate", &w.arg()]);
    let e = Expect {
        code: 1,
        summary: "Module cycle",
        at: Some("m/main.tf:2:12"),
        words: &["cannot contain itself"],
    };
    check(&w, &out, t.elapsed(), &e);
}

#[test]
fn modules_that_source_themselves() {
    validate_row(
        &[("main.tf", text("module \"me\" {\n  source = \"./\"\n}\n"))],
        Expect {
            code: 1,
            summary: "Module cycle",
            at: Some("main.tf:2:12"),
            words: &["cannot contain itself"],
        },
    );
    validate_row(
        &[
            ("main.tf", text("module \"a\" {\n  source = \"./a\"\n}\n")),
            (
                "a/main.tf",
                text("module \"b\" {\n  source = \"../b\"\n}\n"),
            ),
            (
                "b/main.tf",
                text("module \"a\" {\n  source = \"../a\"\n}\n"),
            ),
        ],
        Expect {
            code: 1,
            summary: "Module cycle",
            at: Some("b/main.tf:2:12"),
            words: &["cannot contain itself"],
        },
    );
}

#[test]
fn a_state_with_duplicate_addresses_is_refused() {
    let w = Work::fixture("base");
    w.apply_ok(&[]);
    // Repeat terraform_data.a's entry by hand, as a bad merge of two state files would.
    let state = String::from_utf8(w.state_bytes()).expect("UTF-8");
    let start = state.find("\"terraform_data.a\"").expect("entry a");
    let end = state.find("\"terraform_data.b\"").expect("entry b");
    let dup = format!("{}{}{}", &state[..end], &state[start..end], &state[end..]);
    std::fs::write(w.state_path(), &dup).expect("write state");
    let t = Instant::now();
    let out = w.plan(&[]);
    let line = dup[..end].lines().count();
    let e = Expect {
        code: 1,
        summary: "Failed to load state",
        at: None,
        words: &[
            "\"terraform_data.a\" appears twice",
            &format!("at line {line}"),
            "will not overwrite it",
        ],
    };
    check(&w, &out, t.elapsed(), &e);
    assert_eq!(
        w.state_bytes(),
        dup.as_bytes(),
        "the state is left as it was"
    );
}

/// `plan -out` in one configuration, the file then applied where another configuration is
/// (its root directory `.` now names that one).
#[test]
fn a_plan_file_from_another_configuration_is_refused() {
    let a = Work::fixture("base");
    a.run(&["plan", ".", "--out", "p.plan"]).expect_code(0);
    let b = Work::fixture("base");
    b.write(
        "main.tf",
        "resource \"terraform_data\" \"other\" {\n  input = 1\n}\n",
    );
    std::fs::copy(a.path("p.plan"), b.path("p.plan")).expect("copy plan");
    let t = Instant::now();
    let out = b.run(&["apply", "p.plan"]);
    let e = Expect {
        code: 1,
        summary: "Saved plan does not match the configuration",
        at: None,
        words: &["Make a new plan"],
    };
    check(&b, &out, t.elapsed(), &e);
    assert!(!b.state_path().exists(), "nothing was applied");
}

#[test]
fn a_truncated_plan_file_is_refused() {
    let w = Work::fixture("base");
    w.run(&["plan", ".", "--out", "p.plan"]).expect_code(0);
    let plan = std::fs::read(w.path("p.plan")).expect("plan");
    let cut = &plan[..plan.len() / 2];
    std::fs::write(w.path("p.plan"), cut).expect("truncate");
    let t = Instant::now();
    let out = w.run(&["apply", "p.plan"]);
    let ends = format!("ends after {} bytes", cut.len());
    let e = Expect {
        code: 1,
        summary: "Invalid plan file",
        at: None,
        words: &["p.plan", &ends, "cut off", "Make the plan again"],
    };
    check(&w, &out, t.elapsed(), &e);
    assert!(!w.state_path().exists(), "nothing was applied");
}
