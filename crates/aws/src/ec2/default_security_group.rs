//! `aws_default_security_group`: adopts a VPC's default security group (which cannot be
//! created or deleted) and manages its inline `ingress` / `egress` rules.
//!
//! API calls: `DescribeSecurityGroups` (the `default` group of `vpc_id` on create; refresh by
//! `group-id`), `RevokeSecurityGroupIngress` / `-Egress` and `AuthorizeSecurityGroupIngress`
//! / `-Egress` (only the rules that change), `CreateTags` / `DeleteTags`.
//! Create adopts the group and makes its rules exactly the configured ones (none when no
//! block is written, as in Terraform: the default allow-all rules go). Delete leaves the
//! group and revokes its rules.
//! Force-new: `vpc_id`.

use super::common::{answer, arn, filter, filters, owner, pages};
use super::sg_inline::{block, from_permissions, to_permission};
use crate::config::AwsClients;
use crate::managed::tags::{ec2_map, EC2};
use crate::managed::{computed_str, fetch, field_table, opt, optional_bool, read_one};
use crate::managed::{optional_computed_str_new, Field, Lookup, Managed, Op, TagStyle, Tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::{IpPermission, SecurityGroup as Api};
use hubctl_core::lang::Value;
use hubctl_core::provider::ProviderError;

pub struct DefaultSecurityGroup;

field_table! { Api;
    ID = api("id", computed_str, |_, g| opt(g.group_id()));
    ARN = api("arn", computed_str, |c, g| match g.security_group_arn() {
        Some(a) => Value::from(a),
        None => arn(c, "security-group", g.group_id(), g.owner_id()),
    });
    OWNER = api("owner_id", computed_str, |c, g| owner(c, g.owner_id()));
    NAME = api("name", computed_str, |_, g| opt(g.group_name()));
    DESCRIPTION = api("description", computed_str, |_, g| opt(g.description()));
    VPC = api("vpc_id", optional_computed_str_new, |_, g| opt(g.vpc_id()));
    REVOKE = kept("revoke_rules_on_delete", || optional_bool(false));
    INGRESS = block("ingress", block,
        |_, g| from_permissions(g.ip_permissions(), g.group_id().unwrap_or_default()));
    EGRESS = block("egress", block,
        |_, g| from_permissions(g.ip_permissions_egress(), g.group_id().unwrap_or_default()));
}

/// The permissions of a configured block.
fn wanted(v: &Value, f: &Field<Api>, own: &str) -> Vec<IpPermission> {
    let els = f.get(v).and_then(Value::as_seq).unwrap_or_default();
    els.iter().map(|e| to_permission(e, own)).collect()
}

/// Makes one direction's rules `want`: revokes what is there and not wanted, authorizes
/// what is wanted and not there.
async fn converge(
    c: &AwsClients,
    g: &Api,
    egress: bool,
    want: &[IpPermission],
) -> Result<(), ProviderError> {
    let id = g.group_id().unwrap_or_default();
    let have = if egress {
        g.ip_permissions_egress()
    } else {
        g.ip_permissions()
    };
    // Compared element by element in Terraform's shape (EC2 may order sources its own way).
    let shape = |p: &IpPermission| from_permissions(std::slice::from_ref(p), id);
    let gone: Vec<IpPermission> = have
        .iter()
        .filter(|p| !want.iter().any(|w| shape(w) == shape(p)))
        .cloned()
        .collect();
    let new: Vec<IpPermission> = want
        .iter()
        .filter(|w| !have.iter().any(|p| shape(w) == shape(p)))
        .cloned()
        .collect();
    if !gone.is_empty() {
        if egress {
            let r = c
                .ec2
                .revoke_security_group_egress()
                .group_id(id)
                .set_ip_permissions(Some(gone));
            answer("ec2:RevokeSecurityGroupEgress", r.send().await)?;
        } else {
            let r = c
                .ec2
                .revoke_security_group_ingress()
                .group_id(id)
                .set_ip_permissions(Some(gone));
            answer("ec2:RevokeSecurityGroupIngress", r.send().await)?;
        }
    }
    if !new.is_empty() {
        if egress {
            let r = c
                .ec2
                .authorize_security_group_egress()
                .group_id(id)
                .set_ip_permissions(Some(new));
            answer("ec2:AuthorizeSecurityGroupEgress", r.send().await)?;
        } else {
            let r = c
                .ec2
                .authorize_security_group_ingress()
                .group_id(id)
                .set_ip_permissions(Some(new));
            answer("ec2:AuthorizeSecurityGroupIngress", r.send().await)?;
        }
    }
    Ok(())
}

async fn converge_both(c: &AwsClients, g: &Api, planned: &Value) -> Result<(), ProviderError> {
    let own = g.group_id().unwrap_or_default();
    converge(c, g, false, &wanted(planned, &INGRESS, own)).await?;
    converge(c, g, true, &wanted(planned, &EGRESS, own)).await
}

#[async_trait]
impl Managed for DefaultSecurityGroup {
    type Api = Api;
    const TYPE_NAME: &'static str = "aws_default_security_group";
    const NOUN: &'static str = "default security group";
    const DESCRIBE: &'static str = "ec2:DescribeSecurityGroups";
    const TAGS: TagStyle = EC2;

    fn fields() -> &'static [&'static Field<Api>] {
        FIELDS
    }

    fn key(x: &Api) -> Option<String> {
        x.group_id().map(str::to_string)
    }

    fn tags(x: &Api) -> Tags {
        ec2_map(x.tags())
    }

    async fn describe(&self, c: &AwsClients, by: Lookup<'_>) -> Result<Vec<Api>, ProviderError> {
        let f = Some(filters(by, "group-id"));
        let req = || c.ec2.describe_security_groups().set_filters(f.clone());
        pages(Self::DESCRIBE, |t| req().set_next_token(t).send()).await
    }

    /// An imported group gets Terraform's default for the argument AWS has no notion of.
    async fn complete(
        &self,
        _c: &AwsClients,
        _id: &str,
        v: &mut Value,
    ) -> Result<(), ProviderError> {
        if let Some(m) = v.as_map_mut() {
            if m.get(REVOKE.name).is_none_or(Value::is_null) {
                REVOKE.set(m, Value::Bool(false));
            }
        }
        Ok(())
    }

    /// Adopting twice finds the same group: an interrupted create is simply repeated.
    async fn find_existing(
        &self,
        _c: &Op<'_>,
        _planned: &Value,
    ) -> Result<Option<Api>, ProviderError> {
        Ok(None)
    }

    /// Adopts the VPC's `default` group and tags it.
    async fn create(&self, c: &Op<'_>, planned: &Value, tags: &Tags) -> Result<Api, ProviderError> {
        let mut f = vec![filter("group-name", ["default".to_string()])];
        if let Some(vpc) = VPC.str(planned) {
            f.push(filter("vpc-id", [vpc]));
        }
        let req = || {
            c.ec2
                .describe_security_groups()
                .set_filters(Some(f.clone()))
        };
        let found = pages(Self::DESCRIBE, |t| req().set_next_token(t).send()).await?;
        let g = found.into_iter().next().ok_or_else(|| {
            let vpc = VPC.str(planned).unwrap_or_else(|| "the default VPC".into());
            ProviderError::new(
                Self::DESCRIBE,
                format!("no default security group found in {vpc}"),
            )
        })?;
        let id = g.group_id().unwrap_or_default();
        super::common::tag_adopted(c, id, tags).await?;
        Ok(g)
    }

    async fn finish_create(
        &self,
        c: &Op<'_>,
        planned: &Value,
        g: Api,
    ) -> Result<Api, ProviderError> {
        converge_both(c, &g, planned).await?;
        fetch(self, c, g.group_id().unwrap_or_default()).await
    }

    async fn update_attrs(
        &self,
        c: &Op<'_>,
        id: &str,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Option<String>, ProviderError> {
        let g = fetch(self, c, id).await?;
        converge_both(c, &g, planned).await.map(|_| None)
    }

    /// Leaves the group (AWS cannot delete it) with no rules and without the address tag.
    async fn delete(&self, c: &Op<'_>, id: &str) -> Result<(), ProviderError> {
        let Some(g) = read_one(self, c, id).await? else {
            return Ok(());
        };
        converge(c, &g, false, &[]).await?;
        converge(c, &g, true, &[]).await?;
        super::common::release_adopted(c, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::assert_read_matches_schema;

    #[test]
    fn read_returns_exactly_the_schema() {
        let g = Api::builder()
            .group_id("sg-1")
            .group_name("default")
            .vpc_id("vpc-1")
            .build();
        assert_read_matches_schema(DefaultSecurityGroup, &g);
    }
}
