//! Locks that heal: a held lock is a lease that its holder renews every few seconds. A
//! lease left unrenewed for its TTL (the holder was killed, paused or cut off) may be taken
//! over by the next run, so nobody has to run `force-unlock` after a crash (Terraform's
//! locks never expire).
//!
//! Taking over is safe because writes are fenced twice: before each state write the holder
//! checks its lease ([`Lease::check`]: free while a renewal was confirmed recently, one
//! conditional renewal otherwise, such as after a pause), and every write is itself a
//! compare-and-swap on the state, so a holder that lost its lease never overwrites,
//! whatever the clocks say.

use super::error::StateError;
use super::lock::LockInfo;
use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The lease length when nothing is configured.
pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(60);

/// The environment variable that sets the lease length (`30s`, `2m`) for every backend.
pub const LOCK_TTL_ENV: &str = "HUBCTL_LOCK_TTL";

/// The shortest lease accepted: a renewal must fit in it several times.
const MIN_TTL: Duration = Duration::from_secs(1);

/// Reads a lease length written as a duration (`60s`, `2m`); `from` names where it was
/// written, for the error.
pub fn parse_lock_ttl(text: &str, from: &str) -> Result<Duration, String> {
    let ttl = humantime::parse_duration(text.trim())
        .map_err(|e| format!("{from} {text:?} is not a duration like \"60s\" or \"2m\" ({e})"))?;
    if ttl < MIN_TTL {
        return Err(format!(
            "{from} {text:?} is too short: a lock lease lasts at least 1s"
        ));
    }
    Ok(ttl)
}

/// The lease length when the backend sets none: `$HUBCTL_LOCK_TTL`, else 60 s.
pub fn env_lock_ttl() -> Result<Duration, String> {
    match std::env::var(LOCK_TTL_ENV) {
        Ok(t) if !t.trim().is_empty() => parse_lock_ttl(&t, LOCK_TTL_ENV),
        _ => Ok(DEFAULT_LOCK_TTL),
    }
}

/// How often a holder renews a lease of `ttl`: four times per TTL, at most every 5 s, so
/// a few lost renewals in a row still do not let the lease run out.
pub fn renew_interval(ttl: Duration) -> Duration {
    (ttl / 4).min(Duration::from_secs(5))
}

/// One renewal, as a backend performs it: a conditional write that succeeds only while
/// `held` is still the lock stored (recording a new heartbeat), and fails with
/// [`StateError::LockLost`] naming the current holder when it is not.
#[async_trait]
pub trait Renew: Send + Sync {
    async fn renew(&self, held: &LockInfo) -> Result<(), StateError>;
}

/// A held lease with its renewal task; dropping it stops the renewals (the lock itself
/// is released by the backend's `unlock`).
pub struct Lease {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

struct Shared {
    info: LockInfo,
    ttl: Duration,
    renew: Box<dyn Renew>,
    status: Mutex<Status>,
}

struct Status {
    /// When the last renewal that succeeded was sent (the lease runs from then).
    confirmed: Instant,
    /// `Some(holder now)` once the lease is known to be lost.
    lost: Option<Option<LockInfo>>,
}

impl Lease {
    /// Starts renewing `info`, a lock just taken (so confirmed now), every
    /// [`renew_interval`] until the lease is dropped or found lost.
    pub fn start(info: LockInfo, ttl: Duration, renew: Box<dyn Renew>) -> Lease {
        let shared = Arc::new(Shared {
            info,
            ttl,
            renew,
            status: Mutex::new(Status {
                confirmed: Instant::now(),
                lost: None,
            }),
        });
        let task = tokio::spawn(heartbeat(shared.clone()));
        Lease { shared, task }
    }

    /// The lock ID this lease holds.
    pub fn id(&self) -> &str {
        &self.shared.info.id
    }

    /// The fence before a state write: `LockLost` once the lease is known lost; when no
    /// renewal was confirmed for half the TTL (the process was paused, or renewals fail),
    /// one renewal first, so a write never relies on a lease that may have run out.
    pub async fn check(&self) -> Result<(), StateError> {
        let since = {
            let status = self.shared.status();
            if let Some(by) = &status.lost {
                return Err(self.shared.lost(by.clone()));
            }
            status.confirmed.elapsed()
        };
        if since < self.shared.ttl / 2 {
            return Ok(());
        }
        match self.shared.renew_once().await {
            Ok(()) => Ok(()),
            Err(e @ StateError::LockLost { .. }) => Err(e),
            // Not confirmed, but still inside the lease by this clock: go on.
            Err(_) if self.shared.status().confirmed.elapsed() < self.shared.ttl => Ok(()),
            Err(e) => Err(StateError::Other(format!(
                "The state lock's lease (ID {}) could not be renewed for {}, so another run \
                 may have taken it over; this run writes nothing more. The last renewal \
                 failed: {e}",
                self.id(),
                humantime::format_duration(self.shared.ttl)
            ))),
        }
    }

    /// The loss, if the renewals found the lease taken.
    pub fn lost(&self) -> Option<StateError> {
        let by = self.shared.status().lost.clone()?;
        Some(self.shared.lost(by))
    }
}

/// A backend's slot for the lease it holds.
pub type Slot = std::sync::Mutex<Option<std::sync::Arc<Lease>>>;

/// Takes the lease out of `slot` when it is lock `id`'s, for an unlock. `Ok(true)`: this
/// backend held it; `Ok(false)`: it didn't (another run's lock, force-unlock); `Err`: the
/// lease was taken over, so there is nothing of ours to release.
pub fn release(slot: &Slot, id: &str) -> Result<bool, StateError> {
    let lease = {
        let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some(l) if l.id() == id => slot.take(),
            _ => None,
        }
    };
    if let Some(lost) = lease.as_ref().and_then(|l| l.lost()) {
        return Err(lost);
    }
    // Dropped here: the renewals stop before the lock is released.
    Ok(lease.is_some())
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Shared {
    fn status(&self) -> std::sync::MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lost(&self, by: Option<LockInfo>) -> StateError {
        StateError::LockLost {
            id: self.info.id.clone(),
            by,
        }
    }

    async fn renew_once(&self) -> Result<(), StateError> {
        let sent = Instant::now();
        let res = self.renew.renew(&self.info).await;
        let mut status = self.status();
        match &res {
            Ok(()) if status.lost.is_none() => status.confirmed = status.confirmed.max(sent),
            Ok(()) => {}
            Err(StateError::LockLost { by, .. }) => status.lost = Some(by.clone()),
            Err(_) => {}
        }
        res
    }
}

/// The renewal loop: every interval until the lease is lost (or the task is aborted).
async fn heartbeat(shared: Arc<Shared>) {
    let every = renew_interval(shared.ttl);
    loop {
        tokio::time::sleep(every).await;
        match shared.renew_once().await {
            Ok(()) => {}
            Err(StateError::LockLost { .. }) => return,
            Err(e) => tracing::warn!("renewing the state lock {} failed: {e}", shared.info.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    struct Fake {
        calls: Arc<AtomicUsize>,
        taken: Arc<AtomicBool>,
    }

    #[async_trait]
    impl Renew for Fake {
        async fn renew(&self, held: &LockInfo) -> Result<(), StateError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.taken.load(Ordering::SeqCst) {
                let mut by = LockInfo::new("apply", "s");
                by.id = "taker".into();
                return Err(StateError::LockLost {
                    id: held.id.clone(),
                    by: Some(by),
                });
            }
            Ok(())
        }
    }

    fn fake() -> (Fake, Arc<AtomicUsize>, Arc<AtomicBool>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let taken = Arc::new(AtomicBool::new(false));
        let f = Fake {
            calls: calls.clone(),
            taken: taken.clone(),
        };
        (f, calls, taken)
    }

    #[tokio::test]
    async fn renews_in_the_background_and_a_taken_lease_fences_writes() {
        let (f, calls, taken) = fake();
        let lease = Lease::start(
            LockInfo::new("apply", "s"),
            Duration::from_millis(400),
            Box::new(f),
        );
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert!(calls.load(Ordering::SeqCst) >= 2, "renewed every 100 ms");
        lease.check().await.expect("a renewed lease writes");
        taken.store(true, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(250)).await;
        let err = lease.check().await.expect_err("a lost lease must fence");
        assert!(err.to_string().contains("taken over by taker"), "{err}");
        assert!(lease.lost().is_some());
    }

    #[tokio::test]
    async fn a_lease_not_confirmed_for_half_its_ttl_is_renewed_before_a_write() {
        let (f, calls, taken) = fake();
        let lease = Lease::start(
            LockInfo::new("apply", "s"),
            Duration::from_secs(60),
            Box::new(f),
        );
        lease.check().await.expect("fresh");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "a fresh lease costs no call"
        );
        // What a pause (SIGSTOP) looks like to the holder: no renewal for a long time.
        lease.shared.status().confirmed -= Duration::from_secs(40);
        taken.store(true, Ordering::SeqCst);
        assert!(matches!(
            lease.check().await,
            Err(StateError::LockLost { .. })
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn ttl_reads_durations_and_refuses_tiny_ones() {
        assert_eq!(parse_lock_ttl("3s", "lock_ttl"), Ok(Duration::from_secs(3)));
        assert!(parse_lock_ttl("soon", "lock_ttl")
            .unwrap_err()
            .contains("lock_ttl \"soon\""));
        assert!(parse_lock_ttl("10ms", "lock_ttl")
            .unwrap_err()
            .contains("too short"));
        assert_eq!(
            renew_interval(Duration::from_secs(60)),
            Duration::from_secs(5)
        );
        assert_eq!(
            renew_interval(Duration::from_secs(2)),
            Duration::from_millis(500)
        );
    }
}
