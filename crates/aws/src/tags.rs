//! Tags: the user's `tags`, the provider's `default_tags`, and the bookkeeping tag
//! `hubctl:address` that every object hubctl creates carries (so an interrupted create is
//! found again, never duplicated). `tags_all` is what AWS has minus the bookkeeping tag, so
//! the bookkeeping never shows as a diff.

use hubctl_core::lang::Value;
use std::collections::BTreeMap;

pub const ADDRESS_TAG: &str = "hubctl:address";

/// The tags a value's `tags` attribute holds (null → none).
pub fn user_tags(v: &Value) -> BTreeMap<String, String> {
    // Read through sensitive marks: tags go to the API, not to output.
    v.get_attr("tags")
        .and_then(|t| t.peel().as_map())
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.peel().as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Default tags overlaid by the user's tags (Terraform's `tags_all`).
pub fn all(
    default_tags: &BTreeMap<String, String>,
    user: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut out = default_tags.clone();
    out.extend(user.iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}

/// What to send on create: `tags_all` plus the address tag.
pub fn for_create(
    default_tags: &BTreeMap<String, String>,
    planned: &Value,
    address: &str,
) -> BTreeMap<String, String> {
    let mut t = all(default_tags, &user_tags(planned));
    t.insert(ADDRESS_TAG.to_string(), address.to_string());
    t
}

pub fn to_value(tags: &BTreeMap<String, String>) -> Value {
    Value::Map(
        tags.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// `tags` as the user configured them (null when none) from what AWS has, so a refresh
/// does not turn an unset `tags` into `{}`.
pub fn user_value(
    prior_user: &Value,
    actual: &BTreeMap<String, String>,
    default_tags: &BTreeMap<String, String>,
) -> Value {
    let user: BTreeMap<String, String> = actual
        .iter()
        .filter(|(k, v)| prior_user.get_attr(k).is_some() || default_tags.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if user.is_empty() && prior_user.is_null() {
        Value::Null
    } else {
        to_value(&user)
    }
}

/// Sets `tags` and `tags_all` of a state value from the tags AWS reported (bookkeeping tag
/// already removed); `base` is the planned or prior value whose `tags` shape is kept.
pub fn set_attrs(
    m: &mut hubctl_core::lang::VecMap<String, Value>,
    base: &Value,
    actual: &BTreeMap<String, String>,
    default_tags: &BTreeMap<String, String>,
) {
    let prior_user = base.get_attr("tags").unwrap_or(&Value::Null);
    m.insert("tags".into(), user_value(prior_user, actual, default_tags));
    m.insert("tags_all".into(), to_value(actual));
}

/// Keys to add/overwrite and keys to remove to go from `old` to `new`.
pub fn changes(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, Vec<String>) {
    let set = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    (set, remove)
}

/// Planning rule shared by tagged types: `tags_all` is unknown whenever `tags` changes.
pub fn plan_tags_all(prior: Option<&Value>, planned: &mut Value) {
    let changed = match prior {
        None => true,
        Some(p) => p.get_attr("tags") != planned.get_attr("tags"),
    };
    if changed {
        if let Some(m) = planned.as_map_mut() {
            m.insert("tags_all".into(), Value::unknown());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_overlaid_and_address_tag_added() {
        let d = BTreeMap::from([
            ("Owner".to_string(), "platform".to_string()),
            ("Env".to_string(), "x".to_string()),
        ]);
        let planned = Value::map([("tags", Value::map([("Env", Value::from("staging"))]))]);
        let t = for_create(&d, &planned, "module.vpc.aws_vpc.this");
        assert_eq!(t.get("Env").map(String::as_str), Some("staging"));
        assert_eq!(t.get("Owner").map(String::as_str), Some("platform"));
        assert_eq!(
            t.get(ADDRESS_TAG).map(String::as_str),
            Some("module.vpc.aws_vpc.this")
        );
    }

    #[test]
    fn tag_changes_are_minimal() {
        let old = BTreeMap::from([
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2".to_string()),
        ]);
        let new = BTreeMap::from([
            ("a".to_string(), "1".to_string()),
            ("c".to_string(), "3".to_string()),
        ]);
        let (set, remove) = changes(&old, &new);
        assert_eq!(set.len(), 1);
        assert_eq!(remove, vec!["b".to_string()]);
    }
}
