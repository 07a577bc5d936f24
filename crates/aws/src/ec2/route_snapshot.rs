//! One `DescribeRouteTables` for a refresh of route tables, routes and associations: the
//! three types each read the same tables with a filter of their own, so three calls become
//! one over every table their states name. The answer is used only for that refresh, and
//! only for the filters it can judge (`route-table-id` and association ids), which is what
//! refresh asks; anything else goes to the API.

use super::common::filter;
use crate::config::AwsClients;
use aws_sdk_ec2::types::{Filter, RouteTable};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The types whose refresh a snapshot answers.
pub const TYPES: &[&str] = &[
    "aws_route_table",
    "aws_route",
    "aws_route_table_association",
];

/// EC2 caps a filter at 200 values: more tables are read type by type.
const MAX_TABLES: usize = 200;

/// The route tables a refresh's states name, as DescribeRouteTables answered.
#[derive(Debug)]
pub struct Tables {
    ids: BTreeSet<String>,
    tables: Vec<RouteTable>,
}

impl Tables {
    /// What DescribeRouteTables with `filters` would answer, or `None` when a filter is
    /// not one this snapshot can judge (or names a table it was not taken for).
    pub fn find(&self, filters: &[Filter]) -> Option<Vec<RouteTable>> {
        let mut out: Vec<&RouteTable> = self.tables.iter().collect();
        for f in filters {
            let values = f.values();
            match f.name()? {
                "route-table-id" => {
                    if !values.iter().all(|v| self.ids.contains(v)) {
                        return None;
                    }
                    out.retain(|t| values.iter().any(|v| t.route_table_id() == Some(v)));
                }
                "association.route-table-association-id" => out.retain(|t| {
                    let ids = t
                        .associations()
                        .iter()
                        .filter_map(|a| a.route_table_association_id());
                    ids.into_iter().any(|id| values.iter().any(|v| v == id))
                }),
                _ => return None,
            }
        }
        Some(out.into_iter().cloned().collect())
    }
}

/// The snapshot's clients for these states, when it saves calls: at least two of the three
/// types to read, and at most [`MAX_TABLES`] tables.
pub async fn take(c: &AwsClients, types: &crate::batch::Types) -> Option<AwsClients> {
    if types.iter().filter(|(_, s)| !s.is_empty()).count() < 2 {
        return None;
    }
    let mut ids = BTreeSet::new();
    for (t, states) in types {
        let attr = if t.type_name() == "aws_route_table" {
            "id"
        } else {
            "route_table_id"
        };
        let named = states
            .iter()
            .filter_map(|s| s.get_attr(attr)?.peel().as_str().map(str::to_string));
        ids.extend(named.filter(|id| !id.is_empty()));
    }
    if ids.is_empty() || ids.len() > MAX_TABLES {
        return None;
    }
    let f = vec![filter("route-table-id", ids.iter().cloned())];
    let tables = match super::routes::describe(c, f).await {
        Ok(t) => t,
        Err(e) => {
            tracing::debug!("route table snapshot given up, reading each type: {e}");
            return None;
        }
    };
    let mut with = c.clone();
    with.route_tables = Some(Arc::new(Tables { ids, tables }));
    Some(with)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::RouteTableAssociation;

    fn table(id: &str, assoc: &str) -> RouteTable {
        let a = RouteTableAssociation::builder()
            .route_table_association_id(assoc)
            .build();
        RouteTable::builder()
            .route_table_id(id)
            .associations(a)
            .build()
    }

    #[test]
    fn answers_the_filters_refresh_uses_and_only_for_its_tables() {
        let snap = Tables {
            ids: ["rtb-1", "rtb-2"].map(String::from).into(),
            tables: vec![table("rtb-1", "a-1")],
        };
        let by_id =
            |ids: &[&str]| vec![filter("route-table-id", ids.iter().map(|s| s.to_string()))];
        let found = snap.find(&by_id(&["rtb-1", "rtb-2"])).expect("judged");
        assert_eq!(
            found.len(),
            1,
            "rtb-2 is gone: it was asked for and not answered"
        );
        assert!(
            snap.find(&by_id(&["rtb-9"])).is_none(),
            "a table it was not taken for"
        );
        let assoc = snap.find(&[filter(
            "association.route-table-association-id",
            ["a-1".into()],
        )]);
        assert_eq!(assoc.map(|t| t.len()), Some(1));
        let assoc = snap.find(&[filter(
            "association.route-table-association-id",
            ["a-2".into()],
        )]);
        assert_eq!(assoc.map(|t| t.len()), Some(0));
        assert!(snap.find(&[filter("vpc-id", ["vpc-1".into()])]).is_none());
    }
}
