//! Plan-time rules across resources, for what an API would only refuse halfway through an
//! apply (a subnet outside its VPC, a custom resource its CRD's schema refuses). Once a plan
//! is made, each provider with instances in it sees the planned values of every instance of
//! the plan ([`Provider::check_plan`](super::Provider)), its own and other providers' (a
//! `kubectl_manifest` CRD judges a `kubernetes_manifest` custom resource), and returns
//! findings about its own; the engine places each at the attribute's expression in the
//! resource block (file:line:column), or deeper inside it ([`Finding::path`]), and fails
//! the plan with them.
//!
//! Values may still be unknown (known after apply): rules judge only what is known. Links
//! between resources that are not known yet (a new VPC's id) are given as the resources an
//! attribute's expression refers to ([`PlannedInstance::refs`]).

use crate::lang::Value;

/// One planned instance (managed or data) as a rule sees it.
#[derive(Debug, Clone)]
pub struct PlannedInstance {
    /// `module.net["a"].aws_subnet.private[0]`.
    pub address: String,
    /// `aws_subnet`; data sources are `data.aws_availability_zones`.
    pub type_name: String,
    pub data: bool,
    /// The planned value (the object after the plan; unknown parts stay unknown).
    pub value: Value,
    /// For each top-level argument, the resources its expression refers to, as addresses
    /// in the instance's module instance without instance keys (`vpc_id = aws_vpc.hub.id`
    /// → `module.net["a"].aws_vpc.hub`).
    pub refs: Vec<(String, String)>,
}

impl PlannedInstance {
    /// A known string attribute (sensitive marks ignored).
    pub fn known_str(&self, name: &str) -> Option<&str> {
        self.value.get_attr(name)?.peel().as_str()
    }

    /// The resources argument `name` refers to.
    pub fn refs_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.refs
            .iter()
            .filter(move |(a, _)| a == name)
            .map(|(_, r)| r.as_str())
    }

    /// The address without its own instance key (`aws_subnet.private[0]` →
    /// `aws_subnet.private`), in its module instance.
    pub fn resource(&self) -> &str {
        match self.address.rfind('[') {
            Some(i) if self.address.ends_with(']') && !self.address[i..].contains('.') => {
                &self.address[..i]
            }
            _ => &self.address,
        }
    }
}

/// A rule's finding: an error located at one argument of one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub address: String,
    /// The top-level argument the finding is about (its expression is the subject).
    pub attribute: String,
    /// Inside that argument's value: object keys and list indexes down to what the finding
    /// is about (`["spec", "source", "repoURL"]`). The subject is the deepest of them the
    /// expression spells out as object and tuple constructors; empty for the whole value.
    pub path: Vec<String>,
    pub summary: String,
    pub detail: String,
    /// Another instance's argument involved (the other overlapping subnet), with a label.
    pub related: Option<(String, String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_drops_only_the_own_key() {
        let p = |a: &str| PlannedInstance {
            address: a.into(),
            type_name: "t".into(),
            data: false,
            value: Value::Null,
            refs: vec![],
        };
        assert_eq!(
            p("module.a[\"x\"].t.n[0]").resource(),
            "module.a[\"x\"].t.n"
        );
        assert_eq!(p("module.a[\"x\"].t.n").resource(), "module.a[\"x\"].t.n");
        assert_eq!(p("t.n[\"a.b\"]").resource(), "t.n[\"a.b\"]");
    }
}
