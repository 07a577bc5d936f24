//! git packages through the `git` CLI, as Terraform fetches them: `clone` (shallow with
//! `?depth=`, then only for branch or tag refs) and `checkout` of `?ref=`, which may be a
//! branch, a tag or a commit. git's own message is passed on when it fails.

use hubctl_core::sources::RemoteAddr;
use std::path::Path;
use std::process::Command;

pub async fn clone(remote: &RemoteAddr, dest: &Path) -> Result<(), String> {
    let url = remote.base_url();
    let reference = remote.query("ref");
    let depth = remote.query("depth");
    let mut args: Vec<String> = vec!["clone".into(), "--quiet".into()];
    if let Some(d) = &depth {
        args.push(format!("--depth={d}"));
        if let Some(r) = &reference {
            args.push(format!("--branch={r}"));
        }
    }
    args.push("--".into());
    args.push(url.to_string());
    args.push(dest.display().to_string());
    git(&args, None).await?;
    if let (Some(r), None) = (&reference, &depth) {
        git(
            &["checkout".into(), "--quiet".into(), r.clone(), "--".into()],
            Some(dest),
        )
        .await?;
    }
    Ok(())
}

async fn git(args: &[String], dir: Option<&Path>) -> Result<(), String> {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null());
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    // std's Command on a blocking thread: tokio's "process" feature would change the tokio
    // build that the AWS SDK shares.
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .map_err(|e| format!("running git: {e}"))?
        .map_err(|e| format!("running git: {e} (is git installed?)"))?;
    if out.status.success() {
        return Ok(());
    }
    let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
    Err(format!("git {} failed: {msg}", args[0]))
}
