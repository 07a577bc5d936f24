//! Hostile input to the loader (issue 14): each becomes one diagnostic at its place, never
//! a panic, a hang or gigabytes of memory.

use super::*;
use std::fs;

fn load_text(text: &[u8]) -> (tempfile::TempDir, Config, Diagnostics) {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("main.tf"), text).expect("write");
    let (config, diags) = load(dir.path());
    (dir, config, diags)
}

/// The one error's summary, detail and `line:column` ("" without a subject).
fn only_error(config: &Config, diags: &Diagnostics) -> (String, String, String) {
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{diags:?}");
    let d = errors[0];
    let at = d.subject.map_or(String::new(), |s| {
        let l = config.sources.location(s);
        format!("{}:{}", l.line, l.column)
    });
    (d.summary.clone(), d.detail.clone(), at)
}

#[test]
fn invalid_utf8_is_located_at_the_first_bad_byte() {
    let (_d, config, diags) = load_text(b"locals {\n  a = \"ok\"\n  b = \"\xff\xfe\"\n}\n");
    let (summary, detail, at) = only_error(&config, &diags);
    assert_eq!(summary, "Invalid character encoding");
    assert!(detail.contains("UTF-8"), "{detail}");
    assert_eq!(at, "3:8");
}

#[test]
fn a_nul_byte_is_an_invalid_character() {
    let (_d, config, diags) = load_text(b"locals {\n  b = 1\x00\n}\n");
    let (summary, detail, at) = only_error(&config, &diags);
    assert_eq!(summary, "Invalid character");
    assert!(detail.contains("U+0000"), "{detail}");
    assert_eq!(at, "2:8");
}

#[test]
fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
    let n = 10_000;
    let text = format!("locals {{\n  x = {}1{}\n}}\n", "[".repeat(n), "]".repeat(n));
    // A 2 MiB thread, like a tokio worker's: the parser's own depth limit must hold there.
    let got = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let (_d, config, diags) = load_text(text.as_bytes());
            only_error(&config, &diags)
        })
        .expect("thread")
        .join()
        .expect("no stack overflow");
    let (summary, detail, at) = got;
    assert_eq!(summary, "Syntax error");
    assert!(detail.contains("at most 64 nested levels"), "{detail}");
    assert_eq!(at, "2:71", "the 65th bracket");
}

#[test]
fn an_oversized_file_is_refused_before_it_is_read_whole() {
    let big = vec![b'#'; MAX_FILE_BYTES as usize + 1];
    let (_d, config, diags) = load_text(&big);
    let (summary, detail, _) = only_error(&config, &diags);
    assert_eq!(summary, "Configuration file too large");
    assert!(detail.contains("main.tf is larger than 16 MiB"), "{detail}");
    assert_eq!(config.sources.files().count(), 0, "nothing of it is kept");
}

#[cfg(unix)]
#[test]
fn a_tf_symlink_loop_is_reported_not_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("main.tf"), "locals {}\n").expect("write");
    std::os::unix::fs::symlink("loop.tf", dir.path().join("loop.tf")).expect("symlink");
    let (config, diags) = load(dir.path());
    let (summary, detail, _) = only_error(&config, &diags);
    assert_eq!(summary, "Cannot read configuration file");
    assert!(
        detail.contains("loop.tf") && detail.contains("symbolic links"),
        "{detail}"
    );
}

#[cfg(unix)]
#[test]
fn a_module_source_in_a_symlink_loop_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let main = "module \"m\" {\n  source = \"./a\"\n}\n";
    fs::write(dir.path().join("main.tf"), main).expect("write");
    std::os::unix::fs::symlink("b", dir.path().join("a")).expect("symlink");
    std::os::unix::fs::symlink("a", dir.path().join("b")).expect("symlink");
    let (config, diags) = load(dir.path());
    let (summary, detail, at) = only_error(&config, &diags);
    assert_eq!(summary, "Module source not found");
    assert!(
        detail.contains("cannot be read") && detail.contains("symbolic links"),
        "{detail}"
    );
    assert_eq!(at, "2:12");
}

#[test]
fn a_module_sourcing_itself_is_a_cycle() {
    let main = "module \"me\" {\n  source = \"./\"\n}\n";
    let (_d, config, diags) = load_text(main.as_bytes());
    let (summary, detail, at) = only_error(&config, &diags);
    assert_eq!(summary, "Module cycle");
    assert!(detail.contains("cannot contain itself"), "{detail}");
    assert_eq!(at, "2:12");
}
