//! `aws_route_table_association`.
//!
//! API calls: `AssociateRouteTable`, `ReplaceRouteTableAssociation` (a new `route_table_id`;
//! AWS gives the association a new id), `DisassociateRouteTable`, `DescribeRouteTables`
//! (refresh: one call filtered by `association.route-table-association-id`).
//! Force-new: `subnet_id`, `gateway_id` (exactly one of them is set).
//! Waiter: after associate/replace, until the association is `associated` (default 5m).
//! Import id: `subnet-xxx/rtb-yyy` or `igw-xxx/rtb-yyy` (Terraform's).
//! Quirks: the association is no object of its own (no tags, so recovery after an interrupted
//! create looks for an association of the same subnet or gateway with the same table).
//! Unset `subnet_id` / `gateway_id` are `""` in state, as Terraform writes them.

use super::common::{filter, gone, id_of, s, wait_for};
use super::routes::{describe, nulls_to_empty};
use crate::config::{clients, AwsClients};
use crate::error;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    RouteTable, RouteTableAssociation as ApiAssociation, RouteTableAssociationStateCode,
};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, OpContext, PlannedState, ProviderError, Resource, Schema};
use std::sync::OnceLock;
use std::time::Duration;

pub struct Association;

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let arg = || {
            AttrSchema::optional(Type::String)
                .default(Value::from(""))
                .force_new()
        };
        Schema::new()
            .attr("subnet_id", arg())
            .attr("gateway_id", arg())
            .attr("route_table_id", AttrSchema::required(Type::String))
            .attr("id", AttrSchema::computed(Type::String))
    })
}

fn from_api(a: &ApiAssociation) -> Value {
    let f = |x: Option<&str>| Value::from(x.unwrap_or_default());
    Value::map([
        ("id", f(a.route_table_association_id())),
        ("subnet_id", f(a.subnet_id())),
        ("gateway_id", f(a.gateway_id())),
        ("route_table_id", f(a.route_table_id())),
    ])
}

/// An association among the tables' associations, if it is (being) associated.
fn find(tables: &[RouteTable], pred: impl Fn(&ApiAssociation) -> bool) -> Option<&ApiAssociation> {
    let live = |a: &ApiAssociation| {
        !matches!(
            a.association_state().and_then(|s| s.state()),
            Some(
                RouteTableAssociationStateCode::Disassociated
                    | RouteTableAssociationStateCode::Failed
            )
        )
    };
    tables
        .iter()
        .flat_map(|t| t.associations())
        .find(|a| live(a) && pred(a))
}

fn nonempty(v: &Value, k: &str) -> Option<String> {
    s(v, k).filter(|x| !x.is_empty())
}

/// Waits until association `id` is `associated`; a failed association is an error.
async fn wait_associated(
    c: &AwsClients,
    id: &str,
    timeout: Duration,
) -> Result<Value, ProviderError> {
    wait_for(
        &format!("route table association {id} to be associated"),
        timeout,
        || async {
            let tables = describe(
                c,
                vec![filter(
                    "association.route-table-association-id",
                    [id.to_string()],
                )],
            )
            .await?;
            let Some(a) = tables
                .iter()
                .flat_map(|t| t.associations())
                .find(|a| a.route_table_association_id() == Some(id))
            else {
                return Ok(None);
            };
            match a.association_state().and_then(|s| s.state()) {
                Some(RouteTableAssociationStateCode::Failed) => Err(ProviderError::new(
                    "ec2:AssociateRouteTable",
                    format!(
                        "association {id} failed: {}",
                        a.association_state()
                            .and_then(|s| s.status_message())
                            .unwrap_or("no reason given")
                    ),
                )),
                Some(RouteTableAssociationStateCode::Associated) | None => Ok(Some(from_api(a))),
                Some(_) => Ok(None),
            }
        },
    )
    .await
}

#[async_trait]
impl Resource for Association {
    fn type_name(&self) -> &'static str {
        "aws_route_table_association"
    }

    fn schema(&self) -> &Schema {
        schema()
    }

    fn plan(&self, prior: Option<&Value>, mut proposed: Value) -> PlannedState {
        nulls_to_empty(&mut proposed, &["subnet_id", "gateway_id"]);
        let mut p = hubctl_core::provider::plan_by_schema(self.schema(), prior, proposed);
        // ReplaceRouteTableAssociation gives the association a new id.
        let moved = prior.is_some_and(|pr| {
            pr.get_attr("route_table_id") != p.planned.get_attr("route_table_id")
        });
        if let (true, Some(m)) = (moved, p.planned.as_map_mut()) {
            m.insert("id".into(), Value::Unknown(Type::String));
        }
        p
    }

    async fn create(&self, ctx: &OpContext<'_>, planned: &Value) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let rtb = s(planned, "route_table_id").unwrap_or_default();
        let (subnet, gateway) = (
            nonempty(planned, "subnet_id"),
            nonempty(planned, "gateway_id"),
        );
        if subnet.is_some() == gateway.is_some() {
            return Err(ProviderError::new(
                "",
                "exactly one of subnet_id and gateway_id must be set",
            ));
        }
        let existing = if ctx.recovering {
            let f = match &subnet {
                Some(sn) => filter("association.subnet-id", [sn.clone()]),
                None => filter("association.gateway-id", gateway.clone()),
            };
            let tables = describe(c, vec![f]).await?;
            find(&tables, |a| {
                a.route_table_id() == Some(rtb.as_str())
                    && (a.subnet_id() == subnet.as_deref() || a.gateway_id() == gateway.as_deref())
            })
            .and_then(|a| a.route_table_association_id())
            .map(str::to_string)
        } else {
            None
        };
        let id = match existing {
            Some(id) => id,
            None => {
                let out = c
                    .ec2
                    .associate_route_table()
                    .route_table_id(&rtb)
                    .set_subnet_id(subnet)
                    .set_gateway_id(gateway)
                    .send()
                    .await
                    .map_err(|e| error::sdk("ec2:AssociateRouteTable", e))?;
                out.association_id().map(str::to_string).ok_or_else(|| {
                    ProviderError::new(
                        "ec2:AssociateRouteTable",
                        "the response has no association id",
                    )
                })?
            }
        };
        wait_associated(
            c,
            &id,
            ctx.timeouts.create.unwrap_or(Duration::from_secs(300)),
        )
        .await
    }

    /// Terraform's import id: `subnet-xxx/rtb-yyy` or `igw-xxx/rtb-yyy`.
    async fn import(&self, ctx: &OpContext<'_>, id: &str) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let Some((target, rtb)) = id
            .split_once('/')
            .filter(|(t, r)| !t.is_empty() && !r.is_empty())
        else {
            return Err(ProviderError::new(
                "",
                format!("invalid aws_route_table_association import id \"{id}\": expected SUBNETID/ROUTETABLEID or GATEWAYID/ROUTETABLEID"),
            ));
        };
        let tables = describe(c, vec![filter("route-table-id", [rtb.to_string()])]).await?;
        find(&tables, |a| {
            a.route_table_id() == Some(rtb)
                && (a.subnet_id() == Some(target) || a.gateway_id() == Some(target))
        })
        .map(from_api)
        .ok_or_else(|| {
            super::common::not_found("ec2:DescribeRouteTables", "aws_route_table_association", id)
        })
    }

    async fn read_many(
        &self,
        ctx: &OpContext<'_>,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        let c = match clients(ctx) {
            Ok(c) => c,
            Err(e) => return states.iter().map(|_| Err(e.clone())).collect(),
        };
        let ids: Vec<String> = states.iter().filter_map(|v| s(v, "id")).collect();
        match describe(
            c,
            vec![filter("association.route-table-association-id", ids)],
        )
        .await
        {
            Ok(tables) => states
                .iter()
                .map(|st| {
                    let id = s(st, "id");
                    Ok(find(&tables, |a| {
                        a.route_table_association_id().map(str::to_string) == id
                    })
                    .map(from_api))
                })
                .collect(),
            Err(e) => states.iter().map(|_| Err(e.clone())).collect(),
        }
    }

    async fn update(
        &self,
        ctx: &OpContext<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let c = clients(ctx)?;
        let out = c
            .ec2
            .replace_route_table_association()
            .association_id(id_of(prior)?)
            .route_table_id(s(planned, "route_table_id").unwrap_or_default())
            .send()
            .await
            .map_err(|e| error::sdk("ec2:ReplaceRouteTableAssociation", e))?;
        let id = out
            .new_association_id()
            .map(str::to_string)
            .ok_or_else(|| {
                ProviderError::new(
                    "ec2:ReplaceRouteTableAssociation",
                    "the response has no new association id",
                )
            })?;
        wait_associated(
            c,
            &id,
            ctx.timeouts.update.unwrap_or(Duration::from_secs(120)),
        )
        .await
    }

    async fn delete(&self, ctx: &OpContext<'_>, state: &Value) -> Result<(), ProviderError> {
        let c = clients(ctx)?;
        let r = c
            .ec2
            .disassociate_route_table()
            .association_id(id_of(state)?)
            .send()
            .await;
        gone("ec2:DisassociateRouteTable", r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::RouteTableAssociationState;

    fn assoc(id: &str, subnet: &str, state: RouteTableAssociationStateCode) -> ApiAssociation {
        ApiAssociation::builder()
            .route_table_association_id(id)
            .route_table_id("rtb-1")
            .subnet_id(subnet)
            .association_state(RouteTableAssociationState::builder().state(state).build())
            .build()
    }

    #[test]
    fn from_api_writes_unset_gateway_as_empty() {
        let v = from_api(&assoc(
            "rtbassoc-1",
            "subnet-1",
            RouteTableAssociationStateCode::Associated,
        ));
        assert_eq!(v.get_attr("id"), Some(&Value::from("rtbassoc-1")));
        assert_eq!(v.get_attr("subnet_id"), Some(&Value::from("subnet-1")));
        assert_eq!(v.get_attr("gateway_id"), Some(&Value::from("")));
        assert_eq!(v.get_attr("route_table_id"), Some(&Value::from("rtb-1")));
    }

    #[test]
    fn disassociated_associations_are_gone() {
        let t = RouteTable::builder()
            .associations(assoc(
                "rtbassoc-1",
                "subnet-1",
                RouteTableAssociationStateCode::Disassociated,
            ))
            .associations(assoc(
                "rtbassoc-2",
                "subnet-2",
                RouteTableAssociationStateCode::Associated,
            ))
            .build();
        let tables = [t];
        assert!(find(&tables, |a| a.route_table_association_id()
            == Some("rtbassoc-1"))
        .is_none());
        assert!(find(&tables, |a| a.route_table_association_id()
            == Some("rtbassoc-2"))
        .is_some());
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
        let p = Association.plan(Some(&prior), proposed.clone());
        assert!(p.requires_replace.is_empty());
        assert!(p.planned.get_attr("id").is_some_and(Value::is_unknown));
        assert_eq!(p.planned.get_attr("gateway_id"), Some(&Value::from("")));
        if let Some(m) = proposed.as_map_mut() {
            m.insert("subnet_id".into(), Value::from("subnet-2"));
        }
        let p = Association.plan(Some(&prior), proposed);
        assert_eq!(p.requires_replace, vec!["subnet_id".to_string()]);
        assert!(p.planned.get_attr("id").is_some_and(Value::is_unknown));
    }
}
