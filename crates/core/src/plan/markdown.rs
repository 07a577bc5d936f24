//! A plan's summary in Markdown, for a pull-request comment (`plan --markdown FILE`): a
//! table of counts per unit with a total, then per unit the instances that will be replaced
//! or destroyed first, then the rest. Addresses and actions only, never a value, so nothing
//! secret can reach the comment.

use super::model::{Action, Plan};

/// One unit's (or the root module's) part of the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitSummary {
    pub name: String,
    /// The counts, or why the unit did not plan ("failed", "skipped", "excluded").
    pub counts: Result<Counts, String>,
    /// (action word, address), replaced and destroyed first.
    pub changes: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Counts {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    pub replace: usize,
}

/// Where each action goes in a unit's list: what a reviewer must not miss comes first.
fn rank(a: Action) -> Option<(u8, &'static str)> {
    match a {
        Action::DeleteThenCreate | Action::CreateThenDelete => Some((0, "replace")),
        Action::Delete => Some((1, "destroy")),
        Action::Update => Some((2, "update")),
        Action::Create => Some((3, "create")),
        Action::Read | Action::NoOp => None,
    }
}

impl UnitSummary {
    pub fn of(name: &str, plan: &Plan) -> UnitSummary {
        let s = plan.summary();
        let mut ranked: Vec<(u8, &'static str, String)> = plan
            .changes
            .iter()
            .filter(|c| c.mode != crate::state::Mode::Data)
            .filter_map(|c| rank(c.action).map(|(r, w)| (r, w, c.address.clone())))
            .collect();
        ranked.sort();
        let replace = ranked.iter().filter(|(r, ..)| *r == 0).count();
        UnitSummary {
            name: name.to_string(),
            counts: Ok(Counts {
                add: s.add,
                change: s.change,
                destroy: s.destroy,
                replace,
            }),
            changes: ranked.into_iter().map(|(_, w, a)| (w, a)).collect(),
        }
    }

    /// A unit that did not plan: `why` is "failed", "skipped" or "excluded".
    pub fn not_planned(name: &str, why: &str) -> UnitSummary {
        UnitSummary {
            name: name.to_string(),
            counts: Err(why.to_string()),
            changes: Vec::new(),
        }
    }
}

/// The comment: the counts table (with a total when there are several units), then each
/// unit's changes.
pub fn render(units: &[UnitSummary]) -> String {
    let mut s = String::from("## hubctl plan\n\n| unit | add | change | destroy | replace |\n|---|---:|---:|---:|---:|\n");
    let mut total = Counts::default();
    for u in units {
        match &u.counts {
            Ok(c) => {
                s.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    u.name, c.add, c.change, c.destroy, c.replace
                ));
                total.add += c.add;
                total.change += c.change;
                total.destroy += c.destroy;
                total.replace += c.replace;
            }
            Err(why) => s.push_str(&format!("| {} | {why} | | | |\n", u.name)),
        }
    }
    if units.len() > 1 {
        s.push_str(&format!(
            "| **total** | **{}** | **{}** | **{}** | **{}** |\n",
            total.add, total.change, total.destroy, total.replace
        ));
    }
    for u in units.iter().filter(|u| u.counts.is_ok()) {
        s.push_str(&format!("\n### {}\n\n", u.name));
        if u.changes.is_empty() {
            s.push_str("No changes.\n");
            continue;
        }
        for (word, addr) in &u.changes {
            let word = match *word {
                w @ ("replace" | "destroy") => format!("**{w}**"),
                w => w.to_string(),
            };
            s.push_str(&format!("- {word} `{addr}`\n"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, changes: &[(&'static str, &str)], c: Counts) -> UnitSummary {
        UnitSummary {
            name: name.into(),
            counts: Ok(c),
            changes: changes.iter().map(|(w, a)| (*w, a.to_string())).collect(),
        }
    }

    #[test]
    fn the_comment_puts_counts_first_and_replacements_before_the_rest() {
        let eks = unit(
            "live/staging/eks",
            &[
                ("replace", "aws_eks_cluster.this"),
                ("destroy", "aws_eks_node_group.old"),
                ("update", "aws_iam_role.cluster"),
            ],
            Counts {
                add: 1,
                change: 1,
                destroy: 2,
                replace: 1,
            },
        );
        let kms = unit("live/staging/kms", &[], Counts::default());
        let iam = UnitSummary::not_planned("live/staging/iam", "skipped");
        let got = render(&[kms, eks, iam]);
        let want = "## hubctl plan

| unit | add | change | destroy | replace |
|---|---:|---:|---:|---:|
| live/staging/kms | 0 | 0 | 0 | 0 |
| live/staging/eks | 1 | 1 | 2 | 1 |
| live/staging/iam | skipped | | | |
| **total** | **1** | **1** | **2** | **1** |

### live/staging/kms

No changes.

### live/staging/eks

- **replace** `aws_eks_cluster.this`
- **destroy** `aws_eks_node_group.old`
- update `aws_iam_role.cluster`
";
        assert_eq!(got, want);
    }
}
