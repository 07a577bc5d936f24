//! `-target`/`-exclude` and their `-target-file`/`-exclude-file` forms: read, checked and
//! normalized once for plan, apply and destroy, and the warnings a targeted run gives.

use crate::args::TargetArgs;
use crate::views::Ui;
use hubctl_core::diag::{Diagnostic, Diagnostics, SourceMap};
use hubctl_core::walk::targets::Selection;
use std::path::Path;

/// The addresses `a` selects, each normalized (`aws_x.a["k"]`, `module.m[0]`), or `None`
/// after printing why: an address that is neither a resource, an instance nor a module
/// (naming the file and line for the file forms), an unreadable file, or target and exclude
/// options together (OpenTofu refuses that too: "The target and exclude planning options are
/// mutually-exclusive").
pub fn selection(ui: &Ui, base: &Path, a: &TargetArgs) -> Option<Selection> {
    let mut diags = Diagnostics::new();
    let targeting = !a.targets.is_empty() || !a.target_files.is_empty();
    if targeting && (!a.excludes.is_empty() || !a.exclude_files.is_empty()) {
        diags.push(Diagnostic::error("Invalid combination of arguments").detail(
            "-target (or -target-file) and -exclude (or -exclude-file) cannot be used together: \
             a plan either names what to include or what to leave out.",
        ));
    }
    let sel = Selection {
        targets: addresses(base, "target", &a.targets, &a.target_files, &mut diags),
        excludes: addresses(base, "exclude", &a.excludes, &a.exclude_files, &mut diags),
    };
    if diags.has_errors() {
        ui.diags(&diags, &SourceMap::new());
        return None;
    }
    Some(sel)
}

/// The addresses given directly, then those of each file, normalized.
fn addresses(
    base: &Path,
    flag: &str,
    direct: &[String],
    files: &[std::path::PathBuf],
    diags: &mut Diagnostics,
) -> Vec<String> {
    let mut out = Vec::new();
    for a in direct {
        match normalize(a) {
            Ok(n) => out.push(n),
            Err(why) => diags.push(
                Diagnostic::error(format!("Invalid -{flag} address"))
                    .detail(format!("-{flag}={a}: {why}")),
            ),
        }
    }
    for f in files {
        let path = base.join(f);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("Failed to read -{flag}-file"))
                        .detail(format!("{}: {e}", f.display())),
                );
                continue;
            }
        };
        for (i, line) in text.lines().enumerate() {
            // OpenTofu: "A comment starting with the `#` character" or "A blank line
            // consisting only of zero or more space characters" is ignored (and, as HCL
            // reads the line, a comment after the address).
            let t = without_comment(line).trim();
            if t.is_empty() {
                continue;
            }
            match normalize(t) {
                Ok(n) => out.push(n),
                Err(why) => {
                    let col = line.len() - line.trim_start().len() + 1;
                    diags.push(
                        Diagnostic::error(format!("Invalid -{flag}-file address")).detail(format!(
                            "{}:{}:{col}: {t}: {why}",
                            f.display(),
                            i + 1
                        )),
                    )
                }
            }
        }
    }
    out
}

/// `line` up to a `#` that is not inside a quoted instance key.
fn without_comment(line: &str) -> &str {
    let (mut quoted, mut escaped) = (false, false);
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

/// `text` as hubctl writes the address of a resource, instance or module (instance).
fn normalize(text: &str) -> Result<String, String> {
    let text = text.trim();
    if let Some(m) = hubctl_core::addr::parse_module_instance(text) {
        return Ok(hubctl_core::addr::module_instance_display(&m));
    }
    hubctl_core::addr::InstanceAddr::parse(text)
        .map(|i| i.to_string())
        .map_err(|e| {
            format!("{e}; expected a resource (aws_x.name), an instance (aws_x.name[0]) or a module (module.name)")
        })
}

/// With `--all`, a selection is refused rather than ignored: each unit has its own
/// addresses. Returns whether the run may go on.
pub fn refuse_with_all(ui: &Ui, sel: &Selection) -> bool {
    if sel.is_empty() {
        return true;
    }
    let d = Diagnostic::error("-target and -exclude are not supported with --all").detail(
        "Each unit of a --all run has its own resources, so an address means nothing across \
         them. Run the command in the unit's directory with -target or -exclude instead.",
    );
    ui.diags(&d.into(), &SourceMap::new());
    false
}

/// The options set among `flags` that a `--all` run does not carry to its units, refused
/// by name rather than ignored: `-out` above all, since no unit's plan is saved (`apply
/// --all` plans every unit again, and a plan made with a mock must never be applied).
pub fn refuse_flags_with_all(ui: &Ui, flags: &[(bool, &str)]) -> bool {
    let used: Vec<&str> = flags
        .iter()
        .filter(|(set, _)| *set)
        .map(|(_, n)| *n)
        .collect();
    if used.is_empty() {
        return true;
    }
    let d = Diagnostic::error(format!("{} not supported with --all", used.join(", "))).detail(
        "A --all run gives each unit its own inputs. Run the command in a unit's working copy \
         (<unit>/.hubctl/work) for these options.",
    );
    ui.diags(&d.into(), &SourceMap::new());
    false
}

/// Terraform's (and OpenTofu's) warning for a targeted plan: what it leaves out can drift
/// from the configuration unnoticed.
pub fn targeting_warning(sel: &Selection, destroy: bool, applied: bool) -> Diagnostics {
    if sel.is_empty() {
        return Diagnostics::new();
    }
    let flag = if sel.targets.is_empty() {
        "-exclude"
    } else {
        "-target"
    };
    let d = if applied {
        Diagnostic::warning("Applied changes may be incomplete").detail(format!(
            "The plan was created with {flag}, so some changes requested in the configuration \
             may have been ignored. Run `hubctl plan` without {flag} to verify that no changes \
             are pending."
        ))
    } else {
        let scope = match (sel.targets.is_empty(), destroy) {
            (false, false) => format!("{} and what it depends on", sel.targets.join(", ")),
            (false, true) => format!("{} and what depends on it", sel.targets.join(", ")),
            (true, false) => format!(
                "everything except {} and what depends on it",
                sel.excludes.join(", ")
            ),
            (true, true) => format!(
                "everything except {} and what it depends on",
                sel.excludes.join(", ")
            ),
        };
        Diagnostic::warning("Resource targeting is in effect").detail(format!(
            "The plan is limited to {scope}, so it may not show every change the configuration \
             asks for. {flag} is for exceptional situations such as recovering from errors, not \
             for routine use."
        ))
    };
    d.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalized_and_bad_ones_name_their_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("t.txt"),
            "# first the network\nmodule.network # and its subnets\n\n   \naws_iam_role.all[ \"b#1\" ]\n  bad..name\n",
        )
        .expect("write");
        let mut d = Diagnostics::new();
        let got = addresses(
            dir.path(),
            "target",
            &["module.m[\"k\"]".into()],
            &["t.txt".into()],
            &mut d,
        );
        assert_eq!(
            got,
            [
                "module.m[\"k\"]",
                "module.network",
                "aws_iam_role.all[\"b#1\"]"
            ]
        );
        let errors: Vec<&str> = d.0.iter().map(|x| x.detail.as_str()).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("t.txt:6:3: bad..name: "),
            "{errors:?}"
        );
    }
}
