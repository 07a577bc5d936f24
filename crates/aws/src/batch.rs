//! The AWS provider's [`hubctl_core::provider::Provider::read_types`]: groups of types that
//! one listing can answer together are read from a snapshot taken for this refresh alone
//! (IAM's roles, policies and attachments; EC2's route tables, routes and associations),
//! every other type by its own reads, all groups at the same time. A group whose snapshot
//! would not save calls, or cannot be taken, reads type by type as usual.

use crate::config::{clients, AwsClients};
use hubctl_core::lang::Value;
use hubctl_core::provider::{read_each_type, OpContext, ProviderClient, ReadResults, Resource};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// One refresh's types with their prior states.
pub type Types = [(Arc<dyn Resource>, Vec<Value>)];

/// A group: the types it answers, and how to take its snapshot for these states (`None`:
/// not worth it, or not possible), as clients that answer from it.
struct Group {
    types: &'static [&'static str],
    snapshot: TakeSnapshot,
}

/// The clients a group's snapshot answers from, being taken.
type Taking<'a> = Pin<Box<dyn Future<Output = Option<AwsClients>> + Send + 'a>>;
type TakeSnapshot = for<'a> fn(&'a AwsClients, &'a Types) -> Taking<'a>;

const GROUPS: &[Group] = &[
    Group {
        types: crate::iam::snapshot::TYPES,
        snapshot: |c, t| Box::pin(crate::iam::snapshot::take(c, t)),
    },
    Group {
        types: crate::ec2::route_snapshot::TYPES,
        snapshot: |c, t| Box::pin(crate::ec2::route_snapshot::take(c, t)),
    },
];

pub async fn read_types(ctx: &OpContext<'_>, types: &Types, parallel: usize) -> Vec<ReadResults> {
    let Ok(c) = clients(ctx) else {
        return read_each_type(ctx, types, parallel).await;
    };
    // Each type's group (GROUPS.len() for none), and the types of each group in order.
    let group_of = |t: &Arc<dyn Resource>| {
        let name = t.type_name();
        GROUPS
            .iter()
            .position(|g| g.types.contains(&name))
            .unwrap_or(GROUPS.len())
    };
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); GROUPS.len() + 1];
    for (i, (t, _)) in types.iter().enumerate() {
        members[group_of(t)].push(i);
    }
    let reads = members.iter().enumerate().map(|(g, ix)| {
        let group: Vec<_> = ix.iter().map(|&i| types[i].clone()).collect();
        async move {
            let with = match GROUPS.get(g) {
                Some(grp) if !group.is_empty() => (grp.snapshot)(c, &group).await,
                _ => None,
            };
            match with {
                Some(with) => {
                    let client: ProviderClient = Arc::new(with);
                    let ctx = OpContext {
                        client: &client,
                        ..*ctx
                    };
                    read_each_type(&ctx, &group, parallel).await
                }
                None => read_each_type(ctx, &group, parallel).await,
            }
        }
    });
    let answers = futures_util::future::join_all(reads).await;
    let mut out: Vec<ReadResults> = (0..types.len()).map(|_| Vec::new()).collect();
    for (ix, results) in members.into_iter().zip(answers) {
        for (i, r) in ix.into_iter().zip(results) {
            out[i] = r;
        }
    }
    out
}
