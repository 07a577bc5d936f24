//! EC2 resource types (the hub network) and what they share: tag specifications, tag
//! updates, id filters, waiters.

mod availability_zones;
mod common;
mod eip;
mod internet_gateway;
mod nat_gateway;
mod region;
mod route;
mod route_table;
mod route_table_association;
mod routes;
mod subnet;
mod tagged;
mod vpc;

pub use common::*;

use hubctl_core::provider::{DataSource, Resource};
use std::sync::Arc;

/// One line per resource type.
pub fn resources() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(tagged::Ec2(vpc::Vpc)),
        Arc::new(tagged::Ec2(subnet::Subnet)),
        Arc::new(tagged::Ec2(internet_gateway::InternetGateway)),
        Arc::new(tagged::Ec2(eip::Eip)),
        Arc::new(tagged::Ec2(nat_gateway::NatGateway)),
        Arc::new(tagged::Ec2(route_table::RouteTable)),
        Arc::new(route::AwsRoute),
        Arc::new(route_table_association::Association),
    ]
}

/// One line per data source.
pub fn data_sources() -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(availability_zones::AvailabilityZones),
        Arc::new(region::Region),
    ]
}
