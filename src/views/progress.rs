//! Live progress of an apply. On a terminal: a spinner line listing what is in flight with
//! elapsed time, completed operations printed above it. Otherwise: plain lines in
//! Terraform's wording ("Still creating... [10s elapsed]"), so CI logs stay readable.

use hubctl_core::plan::Action;
use hubctl_core::plan::{Event, Observer};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Progress {
    bar: Option<ProgressBar>,
    /// Operations in flight: when each started and what its waiter last reported.
    inflight: Mutex<BTreeMap<String, (Instant, Option<String>)>>,
    /// Put before every line: the unit, when several units apply at once.
    prefix: String,
}

fn verbs(a: Action) -> (&'static str, &'static str, &'static str) {
    match a {
        Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete => {
            ("Creating...", "creating", "Creation complete")
        }
        Action::Update => ("Modifying...", "modifying", "Modifications complete"),
        Action::Delete => ("Destroying...", "destroying", "Destruction complete"),
        Action::Read => ("Reading...", "reading", "Read complete"),
        Action::NoOp => ("", "", ""),
    }
}

fn secs(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

impl Progress {
    pub fn new(tty: bool) -> Self {
        let bar = tty.then(|| {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        Progress {
            bar,
            inflight: Mutex::new(BTreeMap::new()),
            prefix: String::new(),
        }
    }

    /// Plain lines, each starting with `[unit] `: how concurrent units tell their lines apart.
    pub fn for_unit(unit: &str) -> Self {
        Progress {
            prefix: format!("[{unit}] "),
            ..Progress::new(false)
        }
    }

    fn line(&self, s: String) {
        let s = if self.prefix.is_empty() {
            s
        } else {
            format!("{}{s}", self.prefix)
        };
        match &self.bar {
            Some(b) => b.println(s),
            None => super::printer::line(s),
        }
    }

    fn refresh_bar(&self) {
        if let (Some(b), Ok(m)) = (&self.bar, self.inflight.lock()) {
            if m.is_empty() {
                b.set_message("");
                return;
            }
            let items: Vec<String> = m
                .iter()
                .take(4)
                .map(|(a, (t, what))| match what {
                    Some(w) => format!("{a} [{}, {w}]", secs(t.elapsed())),
                    None => format!("{a} [{}]", secs(t.elapsed())),
                })
                .collect();
            let more = if m.len() > 4 {
                format!(" and {} more", m.len() - 4)
            } else {
                String::new()
            };
            b.set_message(format!("{} in flight: {}{more}", m.len(), items.join(", ")));
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn event(&self, e: Event) {
        match e {
            Event::Refreshing { address, id } => {
                let id = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
                self.line(format!("{address}: Refreshing state...{id}"));
            }
            Event::Started { address, action } => {
                if let Ok(mut m) = self.inflight.lock() {
                    m.insert(address.clone(), (Instant::now(), None));
                }
                self.line(format!("{address}: {}", verbs(action).0));
                self.refresh_bar();
            }
            Event::Still {
                address,
                action,
                elapsed,
            } => {
                if self.bar.is_none() {
                    self.line(format!(
                        "{address}: Still {}... [{} elapsed]",
                        verbs(action).1,
                        secs(elapsed)
                    ));
                }
                self.refresh_bar();
            }
            Event::Done {
                address,
                action,
                elapsed,
                id,
            } => {
                if let Ok(mut m) = self.inflight.lock() {
                    m.remove(&address);
                }
                let id = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
                self.line(format!(
                    "{address}: {} after {}{id}",
                    verbs(action).2,
                    secs(elapsed)
                ));
                self.refresh_bar();
            }
            // On a terminal the live line shows it; plain logs keep Terraform's lines only.
            Event::Progress { address, message } => {
                if let Ok(mut m) = self.inflight.lock() {
                    if let Some(entry) = m.get_mut(&address) {
                        entry.1 = Some(message);
                    }
                }
                self.refresh_bar();
            }
            Event::Note { address, message } => {
                self.line(format!("{address}: {message}"));
            }
            Event::Recovered { address, recovery } => {
                self.line(format!("{address}: {}", recovery_words(&recovery)));
            }
            Event::Failed { address, .. } => {
                if let Ok(mut m) = self.inflight.lock() {
                    m.remove(&address);
                }
                self.refresh_bar();
            }
        }
    }
}

/// One line per recovery, so a run's log says what it adopted and what it cleaned up.
fn recovery_words(r: &hubctl_core::provider::Recovery) -> String {
    use hubctl_core::provider::Recovery;
    match r {
        Recovery::Adopted { id } => {
            format!("Adopted {id}, which an earlier attempt made (its answer was lost or the run was interrupted)")
        }
        Recovery::CopyDeleted { id } => {
            format!("Deleted {id}, a second copy a retried create made")
        }
        Recovery::Absent => {
            "Nothing of the interrupted create was found; created a new object".to_string()
        }
    }
}
