//! Waiting for an object to reach a state, with the progress shown on the live line.

use hubctl_core::provider::{ErrorKind, OpContext, ProviderError};
use std::future::Future;
use std::time::{Duration, Instant};

/// Polls `check` until it yields `Some`, with backoff (250 ms doubling to 10 s) and a
/// timeout. `what` says what is awaited: it is reported through `ctx.progress` at the start
/// and named by the timeout's message. A check may report finer progress itself
/// ("NAT gateway nat-1: pending").
pub async fn wait_for<T, F, Fut>(
    ctx: &OpContext<'_>,
    what: &str,
    timeout: Duration,
    mut check: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, ProviderError>>,
{
    let start = Instant::now();
    let mut delay = Duration::from_millis(250);
    let mut reported = false;
    loop {
        if let Some(v) = check().await? {
            return Ok(v);
        }
        if !reported {
            (ctx.progress)(&format!("waiting for {what}"));
            reported = true;
        }
        if start.elapsed() >= timeout {
            // Uncertain: the object exists and may still get there; the engine keeps its
            // intent record so the next run finds it instead of creating another.
            return Err(ProviderError::msg(format!(
                "timed out after {}s waiting for {what}; raise it with a timeouts block",
                timeout.as_secs()
            ))
            .kind(ErrorKind::Uncertain));
        }
        tokio::time::sleep(delay.min(timeout.saturating_sub(start.elapsed()))).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}
