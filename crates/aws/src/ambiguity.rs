//! Whether a call's request may have taken effect although its answer was lost.
//!
//! The SDK retries a request whose connection dropped or timed out, and a 5xx answer. For a
//! read that is harmless; for a create without an idempotency token it can make a second
//! object, and the first one, whose answer was lost, is orphaned. The [`Watch`] interceptor
//! marks such attempts, and [`watch`] tells the caller whether any attempt of the calls it
//! ran was ambiguous, so the create path can look up what the calls made (by address tag,
//! name or natural key) instead of trusting the last answer alone.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::{dyn_dispatch_hint, Intercept};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

tokio::task_local! {
    static SEEN: Arc<AtomicBool>;
}

/// Runs `fut` and says whether any AWS attempt inside it may have taken effect without its
/// answer arriving (a dropped connection, a timeout, a 5xx).
pub async fn watch<F: Future>(fut: F) -> (F::Output, bool) {
    let seen = Arc::new(AtomicBool::new(false));
    let out = SEEN.scope(seen.clone(), fut).await;
    (out, seen.load(Ordering::Relaxed))
}

/// Marks ambiguous attempts for the enclosing [`watch`], if any.
#[derive(Debug, Default)]
pub struct Watch;

#[dyn_dispatch_hint]
impl Intercept for Watch {
    fn name(&self) -> &'static str {
        "hubctl-ambiguity-watch"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let server_error = context
            .response()
            .is_some_and(|r| r.status().as_u16() >= 500);
        let lost = match context.output_or_error() {
            Some(Err(e)) => {
                e.is_timeout_error()
                    || e.as_connector_error()
                        .is_some_and(|c| c.is_io() || c.is_timeout() || c.is_other())
            }
            _ => false,
        };
        if server_error || lost {
            tracing::debug!(target: "hubctl::api", "an attempt's outcome is unknown (lost answer or server error)");
            let _ = SEEN.try_with(|s| s.store(true, Ordering::Relaxed));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn watch_reports_only_what_happened_inside_it() {
        let (v, seen) = watch(async { 7 }).await;
        assert_eq!((v, seen), (7, false));
        let (_, seen) = watch(async {
            let _ = SEEN.try_with(|s| s.store(true, Ordering::Relaxed));
        })
        .await;
        assert!(seen);
        // Outside any watch, marking is a no-op rather than a panic.
        assert!(SEEN.try_with(|_| ()).is_err());
    }
}
