//! Cross-argument rules a type checks before any API call ("exactly one of `gateway_id`,
//! `nat_gateway_id`, ..."). A type returns [`Invalid`] findings with the attribute path; the
//! engine turns each into a diagnostic at that attribute's file:line:column.

use crate::lang::Value;

/// One broken rule, at `path`: attribute and block names from the resource body down, a
/// block name optionally followed by the element's index (`["route", "1", "gateway_id"]`);
/// empty for the whole block.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub path: Vec<String>,
    pub summary: String,
    pub detail: String,
    /// A warning rather than an error: the configuration works, but part of it does
    /// nothing (an argument accepted for compatibility that has no effect yet).
    pub warning: bool,
}

impl Invalid {
    pub fn at(path: &[&str], summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Invalid {
            path: path.iter().map(|s| s.to_string()).collect(),
            summary: summary.into(),
            detail: detail.into(),
            warning: false,
        }
    }

    /// A finding that warns instead of refusing.
    pub fn warn_at(path: &[&str], summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Invalid {
            warning: true,
            ..Invalid::at(path, summary, detail)
        }
    }
}

/// Whether an argument is set. An unknown value counts as set: it will hold something. An
/// empty string does not: types whose unset strings are `""` in state (the Terraform SDK's
/// shape) have `""` as the schema default, so it is what the user did not write.
fn is_set(config: &Value, name: &str) -> bool {
    config
        .get_attr(name)
        .is_some_and(|v| !v.is_null() && v.as_str() != Some(""))
}

/// Terraform's `ExactlyOneOf`: one of `names` must be set, and only one. The finding points
/// at the second argument set (or at the block when none is).
pub fn exactly_one_of(config: &Value, names: &[&str]) -> Option<Invalid> {
    let set: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| is_set(config, n))
        .collect();
    let list = format!("`{}`", names.join(","));
    match set.as_slice() {
        [_] => None,
        [] => Some(Invalid::at(
            &[],
            "Invalid combination of arguments",
            format!("\"{}\": one of {list} must be specified", names[0]),
        )),
        [_, second, ..] => Some(Invalid::at(
            &[second],
            "Invalid combination of arguments",
            format!(
                "\"{second}\": only one of {list} can be specified, but `{}` were specified.",
                set.join(",")
            ),
        )),
    }
}

/// Terraform's `ConflictsWith` for a pair: both may not be set.
pub fn conflicts_with(config: &Value, a: &str, b: &str) -> Option<Invalid> {
    (is_set(config, a) && is_set(config, b)).then(|| {
        Invalid::at(
            &[b],
            "Conflicting configuration arguments",
            format!("\"{b}\": conflicts with {a}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_of_counts_unknowns_as_set() {
        let names = ["gateway_id", "nat_gateway_id"];
        let one = Value::map([("gateway_id", Value::from("igw-1"))]);
        assert_eq!(exactly_one_of(&one, &names), None);
        let two = Value::map([
            ("gateway_id", Value::from("igw-1")),
            ("nat_gateway_id", Value::unknown()),
        ]);
        let f = exactly_one_of(&two, &names).unwrap();
        assert_eq!(f.path, vec!["nat_gateway_id".to_string()]);
        let none = Value::map([
            ("gateway_id", Value::Null),
            ("nat_gateway_id", Value::from("")),
        ]);
        assert_eq!(
            exactly_one_of(&none, &names).unwrap().path,
            Vec::<String>::new()
        );
    }

    #[test]
    fn conflicts_with_needs_both() {
        let v = Value::map([("a", Value::from("x")), ("b", Value::Null)]);
        assert!(conflicts_with(&v, "a", "b").is_none());
        let v = Value::map([("a", Value::from("x")), ("b", Value::from("y"))]);
        assert_eq!(conflicts_with(&v, "a", "b").unwrap().path, vec!["b"]);
    }
}
