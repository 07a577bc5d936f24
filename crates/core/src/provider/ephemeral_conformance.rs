//! The ephemeral resource conformance suite: what [`EphemeralResource`] promises, written
//! once, as [`super::conformance`] is for managed types. Every ephemeral type runs
//! [`ephemeral_suite`] with an [`EphemeralCase`] (the test-only `issuer_token` in this
//! crate; a provider crate's types against their emulator). The checks panic with a message
//! naming the type and the broken rule.

use super::{EphemeralResource, OpContext, Opened, ProviderClient, Timeouts};
use crate::lang::Value;
use std::sync::Arc;

/// One type's run of the suite.
pub struct EphemeralCase<'a> {
    pub resource: Arc<dyn EphemeralResource>,
    pub client: ProviderClient,
    pub address: &'a str,
    /// The evaluated configuration (wholly known; arguments left out are null).
    pub config: Value,
}

/// Opens twice (every plan and every apply opens anew), checks each result, closes both.
pub async fn ephemeral_suite(case: &EphemeralCase<'_>) {
    let first = open_is_complete(case).await;
    let second = open_is_complete(case).await;
    for o in [first, second] {
        close_succeeds(case, &o).await;
    }
}

fn ctx<'a>(case: &'a EphemeralCase<'_>) -> OpContext<'a> {
    OpContext {
        client: &case.client,
        address: case.address,
        timeouts: Timeouts::default(),
        create_token: "",
        recovering: false,
        progress: &|_| {},
        recovered: &|_| {},
        note: &|_| {},
    }
}

/// `open` returns a wholly known object with every schema attribute, and the arguments as
/// configured.
pub async fn open_is_complete(case: &EphemeralCase<'_>) -> Opened {
    let name = case.resource.type_name();
    let o = match case.resource.open(&ctx(case), &case.config).await {
        Ok(o) => o,
        Err(e) => panic!("{name}: open failed: {e}"),
    };
    assert!(
        o.value.is_wholly_known(),
        "{name}: open left unknowns: {:?}",
        o.value
    );
    let obj = o
        .value
        .peel()
        .as_map()
        .unwrap_or_else(|| panic!("{name}: open returned no object: {:?}", o.value));
    for (attr, schema) in &case.resource.schema().attributes {
        assert!(
            obj.contains_key(attr),
            "{name}: the result lacks \"{attr}\""
        );
        let given = case.config.peel().get_attr(attr).filter(|v| !v.is_null());
        if let (true, Some(given)) = (schema.is_argument(), given) {
            assert_eq!(
                obj.get(attr),
                Some(given),
                "{name}: \"{attr}\" is not as configured"
            );
        }
    }
    o
}

/// `close` releases what `open` obtained without an error.
pub async fn close_succeeds(case: &EphemeralCase<'_>, opened: &Opened) {
    let name = case.resource.type_name();
    if let Err(e) = case.resource.close(&ctx(case), opened).await {
        panic!("{name}: close failed: {e}");
    }
}
