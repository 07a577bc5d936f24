//! Data sources: read at plan time when their configuration and provider are known, else
//! planned as a read during apply (their value unknown until then).

use super::events::{Event, Observer};
use super::model::{Action, Reason, ResourceChange};
use super::resource::change;
use crate::config::Resource;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::provider::OpContext;
use crate::walk::Run;

/// Data sources read at plan time when their configuration is known, else at apply (also
/// when what their `depends_on` names has changes pending, as Terraform does).
#[allow(clippy::too_many_arguments)]
pub async fn plan_data(
    run: &Run,
    observer: &dyn Observer,
    (n, provider): (usize, &str),
    r: &Resource,
    (iaddr, addr): (&str, &str),
    config: Value,
    prior: Option<Value>,
    pending: bool,
) -> (Value, Option<ResourceChange>, Diagnostics) {
    let mut diags = Diagnostics::new();
    // Unknown arguments, or a provider configured only during apply: read at apply.
    if pending || !config.is_wholly_known() || run.client_for(n, provider).is_none() {
        let why = if pending {
            Reason::DependencyPending
        } else {
            Reason::ReadConfigUnknown
        };
        let ch = change(
            run,
            n,
            r,
            iaddr,
            addr,
            Action::Read,
            prior,
            Some(config.clone()),
            vec![],
            Some(why),
        );
        return (Value::unknown(), Some(ch), diags);
    }
    match read_data(run, observer, (n, provider), r, iaddr, &config).await {
        Ok(v) => (
            v.clone(),
            Some(change(
                run,
                n,
                r,
                iaddr,
                addr,
                Action::NoOp,
                prior,
                Some(v),
                vec![],
                None,
            )),
            diags,
        ),
        Err(d) => {
            diags.push(d);
            (Value::unknown(), None, diags)
        }
    }
}

/// Reads a data source through its provider.
pub async fn read_data(
    run: &Run,
    observer: &dyn Observer,
    (n, provider): (usize, &str),
    r: &Resource,
    iaddr: &str,
    config: &Value,
) -> Result<Value, Diagnostic> {
    let (_, ds) = run
        .registry
        .data_source(&r.type_name)
        .ok_or_else(|| Diagnostic::error("Invalid data source type").address(iaddr))?;
    let client = run
        .client_for(n, provider)
        .ok_or_else(|| Diagnostic::error("Provider not configured").address(iaddr))?;
    let noop = |_: &str| {};
    let ctx = OpContext {
        client: &client,
        address: iaddr,
        timeouts: Default::default(),
        create_token: "",
        recovering: false,
        recovered: &crate::provider::no_recovery,
        note: &crate::provider::no_note,
        progress: &noop,
    };
    observer.event(Event::Refreshing {
        address: iaddr.to_string(),
        id: None,
    });
    ds.read(&ctx, config).await.map_err(|e| {
        Diagnostic::error(format!("Error reading {}", r.type_name))
            .detail(e.to_string())
            .address(iaddr)
            .subject(r.span)
    })
}
