//! The resource conformance suite: the behaviour the provider contract promises, written
//! once, as [`crate::state::conformance`] is for backends. Each resource type runs
//! [`resource_suite`] with a [`Case`]: `terraform_data` in this crate, every AWS type against
//! a real emulator from the integration tests. The checks panic with a message naming the
//! type and the broken rule, like any test assertion.

use super::{OpContext, ProviderClient, Resource, Schema, Timeouts};
use crate::config::Lifecycle;
use crate::lang::Value;
use crate::plan::diff::proposed;
use async_trait::async_trait;
use std::sync::Arc;

/// The remote side of a type with a real object behind it, seen around the provider.
#[async_trait]
pub trait Remote: Send + Sync {
    /// How many objects of the type exist (a recovering create must not add one).
    async fn count(&self) -> usize;
    /// Deletes the object behind `state` directly through the API, not through the type.
    async fn delete_out_of_band(&self, state: &Value);
}

/// One type's run of the suite.
pub struct Case<'a> {
    pub resource: Arc<dyn Resource>,
    pub client: ProviderClient,
    pub address: &'a str,
    /// The evaluated configuration; arguments left out get their schema default, as the
    /// engine gives them.
    pub config: Value,
    /// A changed configuration for an in-place update round trip, where the type has one.
    pub update: Option<Value>,
    /// The import id of a created state, where the type supports import.
    pub import_id: Option<fn(&Value) -> String>,
    /// `None` for types with no remote object (`terraform_data`).
    pub remote: Option<&'a dyn Remote>,
}

/// Runs every check in order; each step starts from what the previous one left.
pub async fn resource_suite(case: &Case<'_>) {
    let created = create_then_read(case).await;
    if let Some(remote) = case.remote {
        recovering_create_adopts(case, remote, &created).await;
    }
    if let Some(import_id) = case.import_id {
        import_matches(case, &import_id(&created), &created).await;
    }
    let current = match &case.update {
        Some(update) => update_round_trip(case, &created, update).await,
        None => created,
    };
    delete_twice(case, &current).await;
    if let Some(remote) = case.remote {
        gone_after_out_of_band_delete(case, remote).await;
    }
}

fn ctx<'a>(case: &'a Case<'_>, recovering: bool) -> OpContext<'a> {
    OpContext {
        client: &case.client,
        address: case.address,
        timeouts: Timeouts::default(),
        create_token: "",
        recovering,
        progress: &|_| {},
        recovered: &|_| {},
        note: &|_| {},
    }
}

fn name(case: &Case<'_>) -> &'static str {
    case.resource.type_name()
}

/// The configuration as the engine hands it over: schema defaults for what is left out.
fn with_defaults(schema: &Schema, config: &Value) -> Value {
    let mut m = config.as_map().cloned().unwrap_or_default();
    for (k, a) in &schema.attributes {
        if !m.contains_key(k) {
            m.insert(k.clone(), a.default.clone().unwrap_or(Value::Null));
        }
    }
    Value::Map(m)
}

/// The planned state for `config` over `prior`, through the type's own plan.
async fn plan(case: &Case<'_>, prior: Option<&Value>, config: &Value) -> Value {
    let schema = case.resource.schema();
    let config = with_defaults(schema, config);
    let proposed = proposed(schema, prior, &config, &Lifecycle::default());
    let pctx = super::PlanContext {
        client: Some(&case.client),
        address: case.address,
    };
    let p = case.resource.plan(&pctx, prior, proposed).await;
    let p = p.unwrap_or_else(|e| panic!("{}: plan failed: {e}", name(case)));
    if prior.is_some() {
        assert!(
            p.requires_replace.is_empty(),
            "{}: the update case must plan in place, but {:?} force replacement",
            name(case),
            p.requires_replace
        );
    }
    p.planned
}

/// The first path where a known part of `planned` differs from `actual`.
fn known_mismatch(planned: &Value, actual: &Value, path: &str) -> Option<String> {
    match (planned, actual) {
        (p, _) if p.is_unknown() => None,
        (Value::Map(p), Value::Map(a)) => p.iter().find_map(|(k, v)| {
            known_mismatch(v, a.get(k).unwrap_or(&Value::Null), &format!("{path}.{k}"))
        }),
        (p, a) if p.is_wholly_known() => (p != a).then(|| format!("{path}: {p:?} != {a:?}")),
        // A collection with unknown elements: only its known elements are promised.
        _ => None,
    }
}

fn assert_matches_plan(case: &Case<'_>, step: &str, planned: &Value, actual: &Value) {
    assert!(
        actual.is_wholly_known(),
        "{}: {step} returned unknown values: {actual:?}",
        name(case)
    );
    if let Some(m) = known_mismatch(planned, actual, "") {
        panic!(
            "{}: {step} differs from the planned known values at {m}",
            name(case)
        );
    }
}

/// Reads one state back through `read_many`.
async fn read(case: &Case<'_>, state: &Value) -> Option<Value> {
    let mut r = case
        .resource
        .read_many(&ctx(case, false), std::slice::from_ref(state))
        .await;
    assert_eq!(
        r.len(),
        1,
        "{}: read_many must answer once per state",
        name(case)
    );
    r.pop()
        .expect("one answer")
        .unwrap_or_else(|e| panic!("{}: read failed: {e}", name(case)))
}

async fn create(case: &Case<'_>, recovering: bool) -> (Value, Value) {
    let planned = plan(case, None, &case.config).await;
    let created = case
        .resource
        .create(&ctx(case, recovering), &planned)
        .await
        .unwrap_or_else(|e| panic!("{}: create failed: {e}", name(case)));
    (planned, created)
}

/// Create, then read: both equal the planned known values, and the read equals the create.
pub async fn create_then_read(case: &Case<'_>) -> Value {
    let (planned, created) = create(case, false).await;
    assert_matches_plan(case, "create", &planned, &created);
    let back = read(case, &created).await;
    assert_eq!(
        back.as_ref(),
        Some(&created),
        "{}: a read right after create must return the created state",
        name(case)
    );
    created
}

/// A create repeated with `recovering` (an interrupted create's retry) adopts the object.
pub async fn recovering_create_adopts(case: &Case<'_>, remote: &dyn Remote, created: &Value) {
    let before = remote.count().await;
    let (_, again) = create(case, true).await;
    assert_eq!(
        again.get_attr("id"),
        created.get_attr("id"),
        "{}: a recovering create must return the object made before",
        name(case)
    );
    let after = remote.count().await;
    assert_eq!(
        after,
        before,
        "{}: a recovering create made a duplicate",
        name(case)
    );
}

/// Import by id, then read (as `terraform import` does): the state create returned.
pub async fn import_matches(case: &Case<'_>, id: &str, created: &Value) {
    let imported = case
        .resource
        .import(&ctx(case, false), id)
        .await
        .unwrap_or_else(|e| panic!("{}: import of {id} failed: {e}", name(case)));
    let refreshed = read(case, &imported).await;
    assert_eq!(
        refreshed.as_ref(),
        Some(created),
        "{}: import of {id} then read must give the created state",
        name(case)
    );
}

/// An in-place update returns the planned known values, and a read agrees.
pub async fn update_round_trip(case: &Case<'_>, prior: &Value, config: &Value) -> Value {
    let planned = plan(case, Some(prior), config).await;
    assert_ne!(
        &planned,
        prior,
        "{}: the update case changes nothing",
        name(case)
    );
    let updated = case
        .resource
        .update(&ctx(case, false), prior, &planned)
        .await
        .unwrap_or_else(|e| panic!("{}: update failed: {e}", name(case)));
    assert_matches_plan(case, "update", &planned, &updated);
    let back = read(case, &updated).await;
    assert_eq!(
        back.as_ref(),
        Some(&updated),
        "{}: a read right after update must return the updated state",
        name(case)
    );
    updated
}

/// Delete, then delete again: the second finds nothing and is no error.
pub async fn delete_twice(case: &Case<'_>, state: &Value) {
    for attempt in ["first", "second"] {
        if let Err(e) = case.resource.delete(&ctx(case, false), state).await {
            panic!("{}: {attempt} delete failed: {e}", name(case));
        }
    }
    if case.remote.is_some() {
        assert_eq!(
            read(case, state).await,
            None,
            "{}: a deleted object must read as gone",
            name(case)
        );
    }
}

/// An object deleted around the provider reads as gone, and deleting it is no error.
pub async fn gone_after_out_of_band_delete(case: &Case<'_>, remote: &dyn Remote) {
    let (_, created) = create(case, false).await;
    remote.delete_out_of_band(&created).await;
    assert_eq!(
        read(case, &created).await,
        None,
        "{}: a read after an out-of-band delete must say gone (Ok(None))",
        name(case)
    );
    if let Err(e) = case.resource.delete(&ctx(case, false), &created).await {
        panic!(
            "{}: deleting an object already gone must succeed: {e}",
            name(case)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_parts_of_the_plan_are_compared() {
        let planned = Value::map([("a", Value::from("x")), ("id", Value::unknown())]);
        let actual = Value::map([("a", Value::from("x")), ("id", Value::from("1"))]);
        assert_eq!(known_mismatch(&planned, &actual, ""), None);
        let wrong = Value::map([("a", Value::from("y")), ("id", Value::from("1"))]);
        assert!(known_mismatch(&planned, &wrong, "")
            .unwrap()
            .starts_with(".a"));
    }

    #[tokio::test]
    async fn terraform_data_conforms() {
        let case = Case {
            resource: Arc::new(super::super::terraform_data::TerraformData),
            client: Arc::new(()),
            address: "terraform_data.x",
            config: Value::map([("input", Value::from("a"))]),
            update: Some(Value::map([("input", Value::from("b"))])),
            import_id: None,
            remote: None,
        };
        resource_suite(&case).await;
    }
}
