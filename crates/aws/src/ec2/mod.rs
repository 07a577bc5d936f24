//! EC2 resource types (the hub network), each on the managed-resource adapter
//! ([`crate::managed`]), and what they share: id filters, EC2's ARN form, client tokens.

mod availability_zones;
mod cidr_rules;
mod common;
mod default_network_acl;
mod default_route_table;
mod default_security_group;
mod eip;
mod internet_gateway;
mod nat_gateway;
mod region;
mod route;
mod route_block;
pub mod route_snapshot;
mod route_table;
mod route_table_association;
mod routes;
mod security_group;
mod security_group_rule;
mod security_group_rule_legacy;
mod sg_inline;
mod subnet;
mod vpc;
mod zone_rules;

pub use common::*;

use crate::managed::Adapter;
use hubctl_core::provider::{DataSource, Resource};
use std::sync::Arc;

/// One line per resource type.
pub fn resources() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(Adapter::new(vpc::Vpc)),
        Arc::new(Adapter::new(subnet::Subnet)),
        Arc::new(Adapter::new(internet_gateway::InternetGateway)),
        Arc::new(Adapter::new(eip::Eip)),
        Arc::new(Adapter::new(nat_gateway::NatGateway)),
        Arc::new(Adapter::new(route_table::RouteTable)),
        Arc::new(Adapter::new(route::AwsRoute)),
        Arc::new(Adapter::new(route_table_association::Association)),
        Arc::new(Adapter::new(security_group::SecurityGroup)),
        Arc::new(Adapter::new(security_group_rule::VpcRule::<false>)),
        Arc::new(Adapter::new(security_group_rule::VpcRule::<true>)),
        Arc::new(Adapter::new(security_group_rule_legacy::SecurityGroupRule)),
        Arc::new(Adapter::new(default_security_group::DefaultSecurityGroup)),
        Arc::new(Adapter::new(default_route_table::DefaultRouteTable)),
        Arc::new(Adapter::new(default_network_acl::DefaultNetworkAcl)),
    ]
}

/// The plan-time rules across EC2 resources (see [`hubctl_core::provider::plan_check`]).
pub fn check_plan(
    planned: &[hubctl_core::provider::PlannedInstance],
) -> Vec<hubctl_core::provider::Finding> {
    let mut out = cidr_rules::check(planned);
    out.extend(zone_rules::check(planned));
    out
}

/// One line per data source.
pub fn data_sources() -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(availability_zones::AvailabilityZones),
        Arc::new(region::Region),
    ]
}
