//! Logs every AWS API request (service and operation) at `info` under the `hubctl::api`
//! target: `HUBCTL_LOG=hubctl::api=info hubctl plan` shows exactly which calls a run makes,
//! and the tests count them (one Describe per resource type on refresh). Retries are logged
//! too, one line per attempt.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::{dyn_dispatch_hint, Intercept};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

#[derive(Debug, Default)]
pub struct ApiLog;

#[dyn_dispatch_hint]
impl Intercept for ApiLog {
    fn name(&self) -> &'static str {
        "hubctl-api-log"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(m) = cfg.load::<Metadata>() {
            tracing::info!(target: "hubctl::api", "{}:{}", m.service().to_ascii_lowercase(), m.name());
        }
        Ok(())
    }
}
