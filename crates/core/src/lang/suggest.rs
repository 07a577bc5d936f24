//! "Did you mean ...?" hints: a misspelt name is usually a small edit away from a real one.

/// The candidate closest to `name` by edit distance, if it is close enough (fewer than three
/// edits, as Terraform's hints); `None` when nothing is plausibly what the user meant.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, _)| *d < 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_name() {
        let names = ["cluster_name", "cluster_version", "region"];
        assert_eq!(
            did_you_mean("cluster_verison", names),
            Some("cluster_version")
        );
        assert_eq!(did_you_mean("regoin", names), Some("region"));
        assert_eq!(did_you_mean("vpc_cidr", names), None);
        assert_eq!(did_you_mean("x", std::iter::empty()), None);
    }
}
