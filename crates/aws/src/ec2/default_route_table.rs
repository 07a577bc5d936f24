//! `aws_default_route_table`: adopts a VPC's main route table (named by
//! `default_route_table_id`) and manages its inline `route` blocks and propagation.
//!
//! API calls: `DescribeRouteTables` (adoption and refresh, by `route-table-id`),
//! `CreateRoute` / `ReplaceRoute` / `DeleteRoute`, `CreateTags` / `DeleteTags`.
//! Create makes the table's routes exactly the configured ones (the `local` route stays);
//! delete leaves the table and removes its routes, as the issue of adopt-the-default types
//! asks. Unlike `aws_route_table`, `route` is not computed: no blocks means no routes.
//! Force-new: `default_route_table_id`.

use super::common::{arn, filters, owner};
use super::route_block;
use super::routes::describe;
use crate::config::AwsClients;
use crate::managed::tags::{ec2_map, EC2};
use crate::managed::{computed_str, fetch, field_table, opt, read_one, required_str_new};
use crate::managed::{Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::RouteTable as Api;
use hubctl_core::lang::Value;
use hubctl_core::provider::{Invalid, ProviderError};

pub struct DefaultRouteTable;

field_table! { Api;
    ID = api("id", computed_str, |_, t| opt(t.route_table_id()));
    TABLE = api("default_route_table_id", required_str_new, |_, t| opt(t.route_table_id()));
    ARN = api("arn", computed_str, |c, t| arn(c, "route-table", t.route_table_id(), t.owner_id()));
    OWNER = api("owner_id", computed_str, |c, t| owner(c, t.owner_id()));
    VPC = api("vpc_id", computed_str, |_, t| opt(t.vpc_id()));
    ROUTE = block("route", route_block::schema, |_, t| route_block::read(t));
}

/// Takes the table's routes from what it has to what `planned` configures.
async fn converge(c: &AwsClients, t: &Api, planned: &Value) -> Result<(), ProviderError> {
    let id = t.route_table_id().unwrap_or_default();
    let have = route_block::read(t);
    let want = ROUTE
        .get(planned)
        .cloned()
        .unwrap_or_else(|| Value::set(vec![]));
    let names = route_block::names();
    let mut want = want.as_seq().unwrap_or_default().to_vec();
    want.iter_mut()
        .for_each(|x| super::routes::nulls_to_empty(x, &names));
    route_block::converge(c, id, have.as_seq().unwrap_or_default(), &want)
        .await
        .map(|_| ())
}

#[async_trait]
impl Managed for DefaultRouteTable {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_default_route_table";
    const NOUN: &'static str = "default route table";
    const DESCRIBE: &'static str = "ec2:DescribeRouteTables";
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.route_table_id().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        ec2_map(x.tags())
    }

    fn validate(&self, config: &Value) -> Vec<Invalid> {
        let routes = ROUTE.get(config).and_then(Value::as_seq);
        route_block::validate(ROUTE.name, routes.unwrap_or_default())
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        describe(c, filters(by, "route-table-id")).await
    }

    /// Adopting is repeatable: an interrupted create is simply done again.
    async fn find_existing(
        &self,
        _c: &Op<'_>,
        _planned: &Value,
    ) -> Result<Option<Api>, ProviderError> {
        Ok(None)
    }

    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let id = TABLE.str(planned).unwrap_or_default();
        let t = read_one(self, c, &id).await?.ok_or_else(|| {
            ProviderError::new(Self::DESCRIBE, format!("route table {id} not found"))
        })?;
        super::common::tag_adopted(c, &id, tags).await?;
        Ok(t)
    }

    async fn finish_create(
        &self,
        c: &Op<'_>,
        planned: &Value,
        t: Api,
    ) -> Result<Api, ProviderError> {
        converge(c, &t, planned).await?;
        fetch(self, c, t.route_table_id().unwrap_or_default()).await
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        id: &str,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let t = fetch(self, c, id).await?;
        converge(c, &t, planned).await.map(|_| None)
    }

    /// Leaves the table with only its `local` route, without the address tag.
    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        let Some(t) = read_one(self, c, id).await? else {
            return Ok(());
        };
        converge(c, &t, &Value::Null).await?;
        super::common::release_adopted(c, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::assert_read_matches_schema;

    #[test]
    fn read_returns_exactly_the_schema() {
        let t = Api::builder()
            .route_table_id("rtb-1")
            .vpc_id("vpc-1")
            .build();
        assert_read_matches_schema(DefaultRouteTable, &t);
    }
}
