//! `aws_route_table_association`.
//!
//! API calls: `AssociateRouteTable`, `ReplaceRouteTableAssociation` (a new `route_table_id`;
//! AWS gives the association a new id), `DisassociateRouteTable`, `DescribeRouteTables`
//! (refresh: one call per 200 associations, filtered by
//! `association.route-table-association-id`).
//! Force-new: `subnet_id`, `gateway_id` (exactly one of them is set).
//! Waiter: after associate/replace, until the association is `associated` (default 5m).
//! Import id: `subnet-xxx/rtb-yyy` or `igw-xxx/rtb-yyy` (Terraform's).
//! Quirks: the association is no object of its own (no tags, so recovery after an interrupted
//! create looks for an association of the same subnet or gateway with the same table).
//! Unset `subnet_id` / `gateway_id` are `""` in state, as Terraform writes them.

use super::common::{answer, filter, gone};
use super::routes::{describe, nulls_to_empty};
use crate::config::AwsClients;
use crate::managed::{computed_str, empty_str_new, field_table, or_empty, required_str, wait_for};
use crate::managed::{import_parts, no_such, returned, Field, Lookup, Managed, Op, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::RouteTableAssociationStateCode as Code;
use aws_sdk_ec2::types::{Filter, RouteTableAssociation as Api};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::validate::exactly_one_of;
use hubctl_core::provider::{plan_by_schema, Invalid, PlannedState, ProviderError, Schema};
use std::time::Duration;

pub struct Association;

field_table! { Api;
    ID = api("id", computed_str, |_, a| or_empty(a.route_table_association_id()));
    /// `subnet_id` / `gateway_id`: exactly one is set, the other is `""` in state.
    SUBNET = api("subnet_id", empty_str_new, |_, a| or_empty(a.subnet_id()));
    GATEWAY = api("gateway_id", empty_str_new, |_, a| or_empty(a.gateway_id()));
    RTB = api("route_table_id", required_str, |_, a| or_empty(a.route_table_id()));
}

/// Whether an association is (being) associated: disassociated and failed ones are gone.
fn is_live(a: &Api) -> bool {
    let state = a.association_state().and_then(|s| s.state());
    !matches!(state, Some(Code::Disassociated | Code::Failed))
}

/// The filter on association ids.
const BY_ID: &str = "association.route-table-association-id";

/// The associations of the route tables `f` finds, in any state.
async fn associations(c: &AwsClients, f: Filter) -> Result<Vec<Api>, ProviderError> {
    let tables = describe(c, vec![f]).await?;
    let all = tables.iter().flat_map(|t| t.associations());
    Ok(all.cloned().collect())
}

/// The live association of `subnet` or `gateway` with table `rtb`.
async fn find_of(
    c: &AwsClients,
    rtb: &str,
    (subnet, gateway): (Option<&str>, Option<&str>),
) -> Result<Option<Api>, ProviderError> {
    let f = match (subnet, gateway) {
        (Some(sn), _) => filter("association.subnet-id", [sn.to_string()]),
        (None, Some(gw)) => filter("association.gateway-id", [gw.to_string()]),
        (None, None) => return Ok(None),
    };
    let all = associations(c, f).await?;
    Ok(all.into_iter().find(|a| {
        is_live(a)
            && a.route_table_id() == Some(rtb)
            && ((subnet.is_some() && a.subnet_id() == subnet)
                || (gateway.is_some() && a.gateway_id() == gateway))
    }))
}

/// Waits until association `id` is `associated`; a failed association is an error.
async fn wait_associated(c: &Op<'_>, id: &str, timeout: Duration) -> Result<Api, ProviderError> {
    let what = format!("route table association {id} to be associated");
    wait_for(c.ctx, &what, timeout, || async {
        let all = associations(c, filter(BY_ID, [id.to_string()])).await?;
        let found = all
            .into_iter()
            .find(|a| a.route_table_association_id() == Some(id));
        let Some(a) = found else { return Ok(None) };
        let state = a.association_state();
        match state.and_then(|s| s.state()) {
            Some(Code::Failed) => {
                let why = state.and_then(|s| s.status_message());
                let why = why.unwrap_or("no reason given");
                let msg = format!("association {id} failed: {why}");
                Err(ProviderError::new("ec2:AssociateRouteTable", msg))
            }
            Some(Code::Associated) | None => Ok(Some(a)),
            Some(_) => Ok(None),
        }
    })
    .await
}

#[async_trait]
impl Managed for Association {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_route_table_association";
    const NOUN: &'static str = "route table association";
    const DESCRIBE: &'static str = "ec2:DescribeRouteTables";

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.route_table_association_id().map(str::to_string)
    }

    /// Live associations by id; associations carry no tags to look up.
    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let all = associations(c, filter(BY_ID, by.keys().iter().cloned())).await?;
        Ok(all.into_iter().filter(is_live).collect())
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        Vec::from_iter(exactly_one_of(config, &[SUBNET.name, GATEWAY.name]))
    }

    /// Moving to another route table gives the association a new id.
    fn plan(&self, schema: &Schema, prior: Option<&Value>, mut proposed: Value) -> PlannedState {
        nulls_to_empty(&mut proposed, &[SUBNET.name, GATEWAY.name]);
        let mut p = plan_by_schema(schema, prior, proposed);
        let moved = prior.is_some_and(|pr| RTB.get(pr) != RTB.get(&p.planned));
        if let (true, Some(m)) = (moved, p.planned.as_map_mut()) {
            ID.set(m, Value::Unknown(Type::String));
        }
        p
    }

    /// The association is no object of its own: an interrupted create's is found as the
    /// association of the same subnet or gateway with the same table.
    async fn find_existing(
        &self,
        c: &Op<'_>,
        planned: &Value,
    ) -> Result<Option<Api>, ProviderError> {
        let rtb = RTB.str(planned).unwrap_or_default();
        let (sn, gw) = (SUBNET.nonempty(planned), GATEWAY.nonempty(planned));
        find_of(c, &rtb, (sn.as_deref(), gw.as_deref())).await
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, _: &Tags) -> Result<Api, ProviderError> {
        let req = c.ec2.associate_route_table();
        let req = req.set_route_table_id(RTB.str(planned));
        let req = req.set_subnet_id(SUBNET.nonempty(planned));
        let out = req.set_gateway_id(GATEWAY.nonempty(planned)).send().await;
        let op = "ec2:AssociateRouteTable";
        let out = answer(op, out)?;
        let id = returned(op, "association id", out.association_id())?;
        // The answer's id and state, and what was sent, are the whole association.
        let a = Api::builder().route_table_association_id(id).main(false);
        let a = a.set_route_table_id(RTB.str(planned));
        let a = a.set_subnet_id(SUBNET.nonempty(planned));
        let a = a.set_gateway_id(GATEWAY.nonempty(planned));
        Ok(a.set_association_state(out.association_state().cloned())
            .build())
    }

    /// Polls until the association is `associated`, unless its answer already says so.
    async fn finish_create(&self, c: &Op<'_>, _: &Value, x: Api) -> Result<Api, ProviderError> {
        let state = x.association_state().and_then(|s| s.state());
        if state == Some(&Code::Associated) {
            return Ok(x);
        }
        let id = x.route_table_association_id().unwrap_or_default();
        let timeout = c.ctx.timeouts.create.unwrap_or(Duration::from_secs(300));
        wait_associated(c, id, timeout).await
    }

    /// Terraform's import id: `subnet-xxx/rtb-yyy` or `igw-xxx/rtb-yyy`.
    async fn import_key(&self, c: &AwsClients, id: &str) -> Result<String, ProviderError> {
        let form = "SUBNETID/ROUTETABLEID or GATEWAYID/ROUTETABLEID";
        let (target, rtb) = import_parts(Self::TYPE_NAME, id, '/', form)?;
        let subnet = target.starts_with("subnet-");
        let (sn, gw) = (subnet.then_some(target), (!subnet).then_some(target));
        let key = find_of(c, rtb, (sn, gw)).await?.and_then(|a| Self::key(&a));
        key.ok_or_else(|| no_such::<Self>(id))
    }

    /// A new table: ReplaceRouteTableAssociation, which gives the association a new id.
    async fn update_attrs(
        &self,
        c: &Op<'_>,
        id: &str,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let req = c.ec2.replace_route_table_association().association_id(id);
        let out = req.set_route_table_id(RTB.str(planned)).send().await;
        let op = "ec2:ReplaceRouteTableAssociation";
        let out = answer(op, out)?;
        let new = returned(op, "new association id", out.new_association_id())?;
        let timeout = c.ctx.timeouts.update.unwrap_or(Duration::from_secs(120));
        wait_associated(c, new, timeout).await?;
        Ok(Some(new.to_string()))
    }

    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        let r = c.ec2.disassociate_route_table().association_id(id);
        gone("ec2:DisassociateRouteTable", r.send().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec2::common::test_clients;
    use crate::managed::{assert_read_matches_schema, schema_for};
    use aws_sdk_ec2::types::RouteTableAssociationState;

    fn from_api(a: &Api) -> Value {
        assert_read_matches_schema(Association, a);
        let c = test_clients(Default::default());
        crate::managed::from_api(&Association, &c, a, &Value::Null)
    }

    impl Association {
        fn plan_rule(&self, prior: Option<&Value>, proposed: Value) -> PlannedState {
            self.plan(&schema_for::<Association>(), prior, proposed)
        }
    }

    fn assoc(id: &str, subnet: &str, state: Code) -> Api {
        Api::builder()
            .route_table_association_id(id)
            .route_table_id("rtb-1")
            .subnet_id(subnet)
            .association_state(RouteTableAssociationState::builder().state(state).build())
            .build()
    }

    #[test]
    fn from_api_writes_unset_gateway_as_empty() {
        let v = from_api(&assoc("rtbassoc-1", "subnet-1", Code::Associated));
        assert_eq!(v.get_attr("id"), Some(&Value::from("rtbassoc-1")));
        assert_eq!(v.get_attr("subnet_id"), Some(&Value::from("subnet-1")));
        assert_eq!(v.get_attr("gateway_id"), Some(&Value::from("")));
        assert_eq!(v.get_attr("route_table_id"), Some(&Value::from("rtb-1")));
    }

    #[test]
    fn disassociated_and_failed_associations_are_gone() {
        assert!(!is_live(&assoc(
            "rtbassoc-1",
            "subnet-1",
            Code::Disassociated
        )));
        assert!(!is_live(&assoc("rtbassoc-1", "subnet-1", Code::Failed)));
        assert!(is_live(&assoc("rtbassoc-2", "subnet-2", Code::Associated)));
        assert!(is_live(&assoc("rtbassoc-2", "subnet-2", Code::Associating)));
    }

    #[test]
    fn changing_the_table_updates_in_place_but_a_new_subnet_replaces() {
        let prior = Value::map([
            ("id", Value::from("rtbassoc-1")),
            ("subnet_id", Value::from("subnet-1")),
            ("gateway_id", Value::from("")),
            ("route_table_id", Value::from("rtb-1")),
        ]);
        let mut proposed = prior.clone();
        if let Some(m) = proposed.as_map_mut() {
            m.insert("route_table_id".into(), Value::from("rtb-2"));
            m.insert("gateway_id".into(), Value::Null);
        }
        let p = Association.plan_rule(Some(&prior), proposed.clone());
        assert!(p.requires_replace.is_empty());
        assert!(p.planned.get_attr("id").is_some_and(Value::is_unknown));
        assert_eq!(p.planned.get_attr("gateway_id"), Some(&Value::from("")));
        if let Some(m) = proposed.as_map_mut() {
            m.insert("subnet_id".into(), Value::from("subnet-2"));
        }
        let p = Association.plan_rule(Some(&prior), proposed);
        assert_eq!(p.requires_replace, vec!["subnet_id".to_string()]);
        assert!(p.planned.get_attr("id").is_some_and(Value::is_unknown));
    }
}
