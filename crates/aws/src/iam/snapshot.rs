//! One read of the account's roles for a refresh that reads many IAM objects.
//!
//! IAM has no batched Get: a plan refreshing six roles, four inline policies and two
//! attachments makes twelve calls, and IAM's request quotas are the lowest of the services a
//! hub uses. `ListRoles` (names, trust policies, descriptions, session durations) plus
//! `GetAccountAuthorizationDetails` with `Filter=Role` (boundaries, tags, inline policies,
//! attachments) answer all of them in two. A snapshot is only taken when it saves calls, is
//! used only by the reads it was taken for ([`crate::batch`]), and is given up for the usual
//! per-object calls when the account has more roles than one page of each listing holds or
//! when either call fails (a policy may allow `GetRole` but not
//! `GetAccountAuthorizationDetails`).

use crate::config::AwsClients;
use crate::ec2::answer;
use aws_sdk_iam::types::{EntityType, Role};
use std::collections::HashMap;
use std::sync::Arc;

/// The types whose refresh a snapshot answers.
pub const TYPES: &[&str] = &[
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
];

/// A snapshot costs two calls: below this many objects, asking for each is no dearer.
const MIN_OBJECTS: usize = 3;

/// IAM's largest page; an account with more roles is read object by object instead.
const PAGE: i32 = 1000;

/// The account's roles, their inline policies and their attached policies.
#[derive(Debug, Default)]
pub struct Snapshot {
    roles: HashMap<String, Role>,
    /// Inline policy documents (URL-encoded, as `GetRolePolicy` answers) by (role, name).
    inline: HashMap<(String, String), String>,
    /// Attached policy ARNs by role.
    attached: HashMap<String, Vec<String>>,
}

impl Snapshot {
    /// The role as `GetRole` would answer it; `None` when it does not exist.
    pub fn role(&self, name: &str) -> Option<Role> {
        self.roles.get(name).cloned()
    }

    /// An inline policy's document; `None` when the role or the policy does not exist.
    pub fn inline(&self, role: &str, name: &str) -> Option<String> {
        let key = (role.to_string(), name.to_string());
        self.inline.get(&key).cloned()
    }

    /// The ARNs attached to a role; `None` when the role does not exist.
    pub fn attached(&self, role: &str) -> Option<Vec<String>> {
        self.roles
            .contains_key(role)
            .then(|| self.attached.get(role).cloned().unwrap_or_default())
    }
}

/// The snapshot's clients for these states, when one saves calls (see the module's doc).
pub async fn take(c: &AwsClients, types: &crate::batch::Types) -> Option<AwsClients> {
    let objects: usize = types.iter().map(|(_, s)| s.len()).sum();
    if objects < MIN_OBJECTS {
        return None;
    }
    let snap = fetch(c).await?;
    let mut with = c.clone();
    with.iam_snapshot = Some(Arc::new(snap));
    Some(with)
}

/// Both listings, or `None` (with the reason logged) when the snapshot is given up.
async fn fetch(c: &AwsClients) -> Option<Snapshot> {
    let list = c.iam.list_roles().max_items(PAGE).send();
    let details = c
        .iam
        .get_account_authorization_details()
        .filter(EntityType::Role)
        .max_items(PAGE)
        .send();
    let (list, details) = tokio::join!(list, details);
    let given_up = |why: String| {
        tracing::debug!("IAM snapshot given up, reading each object: {why}");
        None
    };
    let list = match answer("iam:ListRoles", list) {
        Ok(l) if !l.is_truncated() => l,
        Ok(_) => return given_up(format!("more than {PAGE} roles")),
        Err(e) => return given_up(e.to_string()),
    };
    let details = match answer("iam:GetAccountAuthorizationDetails", details) {
        Ok(d) if !d.is_truncated() => d,
        Ok(_) => return given_up(format!("more than {PAGE} roles")),
        Err(e) => return given_up(e.to_string()),
    };
    let snap = assemble(list.roles, details.role_detail_list.unwrap_or_default());
    snap.or_else(|| given_up("the two listings name different roles".into()))
}

/// Joins the two listings by role name; `None` when they do not name the same roles (one
/// was created or deleted between the two calls, and neither listing can be trusted alone).
fn assemble(roles: Vec<Role>, details: Vec<aws_sdk_iam::types::RoleDetail>) -> Option<Snapshot> {
    let mut by_name: HashMap<String, aws_sdk_iam::types::RoleDetail> = details
        .into_iter()
        .filter_map(|d| Some((d.role_name.clone()?, d)))
        .collect();
    let mut snap = Snapshot::default();
    for mut role in roles {
        let d = by_name.remove(&role.role_name)?;
        role.permissions_boundary = d.permissions_boundary;
        role.tags = d.tags;
        let name = role.role_name.clone();
        for p in d.role_policy_list.unwrap_or_default() {
            if let (Some(n), Some(doc)) = (p.policy_name, p.policy_document) {
                snap.inline.insert((name.clone(), n), doc);
            }
        }
        let arns = d.attached_managed_policies.unwrap_or_default();
        let arns = arns.into_iter().filter_map(|p| p.policy_arn).collect();
        snap.attached.insert(name.clone(), arns);
        snap.roles.insert(name, role);
    }
    by_name.is_empty().then_some(snap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::types::{AttachedPolicy, PolicyDetail, RoleDetail, Tag};

    fn role(name: &str) -> Role {
        Role::builder()
            .role_name(name)
            .path("/")
            .role_id(format!("id-{name}"))
            .arn(format!("arn:aws:iam::123456789012:role/{name}"))
            .create_date(aws_smithy_types::DateTime::from_secs(0))
            .description("from ListRoles")
            .max_session_duration(7200)
            .build()
            .unwrap()
    }

    fn detail(name: &str) -> RoleDetail {
        RoleDetail::builder()
            .role_name(name)
            .tags(Tag::builder().key("k").value("v").build().unwrap())
            .role_policy_list(
                PolicyDetail::builder()
                    .policy_name("inline")
                    .policy_document("%7B%7D")
                    .build(),
            )
            .attached_managed_policies(
                AttachedPolicy::builder()
                    .policy_arn("arn:aws:iam::aws:policy/P")
                    .build(),
            )
            .build()
    }

    #[test]
    fn the_two_listings_join_into_what_the_get_calls_answer() {
        let snap = assemble(vec![role("a")], vec![detail("a")]).unwrap();
        let a = snap.role("a").unwrap();
        assert_eq!(a.description(), Some("from ListRoles"));
        assert_eq!(a.max_session_duration(), Some(7200));
        assert_eq!(a.tags().len(), 1);
        assert_eq!(snap.inline("a", "inline").as_deref(), Some("%7B%7D"));
        assert_eq!(snap.inline("a", "other"), None);
        assert_eq!(
            snap.attached("a"),
            Some(vec!["arn:aws:iam::aws:policy/P".to_string()])
        );
        assert!(snap.role("b").is_none() && snap.attached("b").is_none());
    }

    #[test]
    fn listings_that_disagree_give_no_snapshot() {
        // A role made or deleted between the two calls: neither listing is whole.
        assert!(assemble(vec![role("a"), role("b")], vec![detail("a")]).is_none());
        assert!(assemble(vec![role("a")], vec![detail("a"), detail("b")]).is_none());
    }
}
