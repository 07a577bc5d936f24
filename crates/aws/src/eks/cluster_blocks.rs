//! The nested blocks of `aws_eks_cluster` (`vpc_config`, `encryption_config`,
//! `access_config`, `kubernetes_network_config`) and its computed nested values
//! (`certificate_authority`, `identity`): each one's schema, its read from DescribeCluster
//! and the request part it becomes.

use super::{first, flag, list_of, object_ty, one_block, s, str_set, strings, strings_ty};
use aws_sdk_eks::types::{
    AuthenticationMode, Cluster as Api, CreateAccessConfigRequest, EncryptionConfig, IpFamily,
    KubernetesNetworkConfigRequest, LogSetup, LogType, Logging, Provider, VpcConfigRequest,
};
use hubctl_core::lang::{Type, Value};
use hubctl_core::provider::{AttrSchema, BlockSchema, Schema};

pub(super) fn vpc_config() -> BlockSchema {
    let set = || strings_ty(true);
    one_block(
        Schema::new()
            .attr("subnet_ids", AttrSchema::required(set()).force_new())
            .attr(
                "security_group_ids",
                AttrSchema::optional(set()).force_new(),
            )
            .attr(
                "endpoint_private_access",
                AttrSchema::optional(Type::Bool).default(Value::Bool(false)),
            )
            .attr(
                "endpoint_public_access",
                AttrSchema::optional(Type::Bool).default(Value::Bool(true)),
            )
            .attr("public_access_cidrs", AttrSchema::optional_computed(set()))
            .attr(
                "cluster_security_group_id",
                AttrSchema::computed(Type::String),
            )
            .attr("vpc_id", AttrSchema::computed(Type::String)),
        1,
    )
}

pub(super) fn read_vpc_config(x: &Api) -> Value {
    let Some(v) = x.resources_vpc_config() else {
        return Value::Null;
    };
    let str_or_null = |s: Option<&str>| s.map(Value::from).unwrap_or(Value::Null);
    // Null where the answer leaves a list out (not reported), `[]` where it is empty.
    let set = |xs: &Option<Vec<String>>| xs.as_deref().map_or(Value::Null, str_set);
    Value::List(vec![Value::object([
        ("subnet_ids", set(&v.subnet_ids)),
        ("security_group_ids", set(&v.security_group_ids)),
        (
            "endpoint_private_access",
            Value::Bool(v.endpoint_private_access),
        ),
        (
            "endpoint_public_access",
            Value::Bool(v.endpoint_public_access),
        ),
        ("public_access_cidrs", set(&v.public_access_cidrs)),
        (
            "cluster_security_group_id",
            str_or_null(v.cluster_security_group_id()),
        ),
        ("vpc_id", str_or_null(v.vpc_id())),
    ])])
}

/// `resourcesVpcConfig` of CreateCluster: everything the block sets.
pub(super) fn vpc_request(planned: &Value) -> VpcConfigRequest {
    let v = first(planned, "vpc_config");
    let cidrs = strings(v.get_attr("public_access_cidrs"));
    let groups = strings(v.get_attr("security_group_ids"));
    VpcConfigRequest::builder()
        .set_subnet_ids(Some(strings(v.get_attr("subnet_ids"))))
        .set_security_group_ids(Some(groups).filter(|g| !g.is_empty()))
        .set_endpoint_private_access(flag(v, "endpoint_private_access"))
        .set_endpoint_public_access(flag(v, "endpoint_public_access"))
        .set_public_access_cidrs(Some(cidrs).filter(|c| !c.is_empty()))
        .build()
}

/// `resourcesVpcConfig` of UpdateClusterConfig: the endpoint settings, when they changed
/// (subnets and security groups are force-new).
pub(super) fn vpc_update(prior: &Value, planned: &Value) -> Option<VpcConfigRequest> {
    let (a, b) = (first(prior, "vpc_config"), first(planned, "vpc_config"));
    let keys = ["endpoint_private_access", "endpoint_public_access"];
    let cidrs = |v: &Value| {
        let mut c = strings(v.get_attr("public_access_cidrs"));
        c.sort();
        c
    };
    let changed = keys.iter().any(|k| flag(a, k) != flag(b, k))
        || (b
            .get_attr("public_access_cidrs")
            .is_some_and(Value::is_wholly_known)
            && cidrs(a) != cidrs(b));
    changed.then(|| {
        let c = cidrs(b);
        VpcConfigRequest::builder()
            .set_endpoint_private_access(flag(b, "endpoint_private_access"))
            .set_endpoint_public_access(flag(b, "endpoint_public_access"))
            .set_public_access_cidrs(Some(c).filter(|c| !c.is_empty()))
            .build()
    })
}

pub(super) fn encryption_config() -> BlockSchema {
    let provider = Schema::new().attr("key_arn", AttrSchema::required(Type::String).force_new());
    one_block(
        Schema::new()
            .attr(
                "resources",
                AttrSchema::required(strings_ty(true)).force_new(),
            )
            .block("provider", one_block(provider, 1)),
        0,
    )
}

/// `resources` is deprecated in the SDK (EKS encrypts everything by default now), but it is
/// the Terraform provider's required argument and still what CreateCluster takes.
#[allow(deprecated)]
pub(super) fn read_encryption(x: &Api) -> Value {
    let one = |e: &EncryptionConfig| {
        let key = e.provider().and_then(|p| p.key_arn());
        Value::object([
            ("resources", str_set(e.resources())),
            (
                "provider",
                Value::List(vec![Value::object([(
                    "key_arn",
                    key.map(Value::from).unwrap_or(Value::Null),
                )])]),
            ),
        ])
    };
    Value::List(x.encryption_config().iter().map(one).collect())
}

#[allow(deprecated)]
pub(super) fn encryption_request(planned: &Value) -> Option<EncryptionConfig> {
    let e = first(planned, "encryption_config");
    if e.is_null() {
        return None;
    }
    let key = s(first(e, "provider"), "key_arn");
    let provider = Provider::builder().set_key_arn(key).build();
    let resources = strings(e.get_attr("resources"));
    Some(
        EncryptionConfig::builder()
            .set_resources(Some(resources))
            .provider(provider)
            .build(),
    )
}

pub(super) fn access_config() -> BlockSchema {
    one_block(
        Schema::new()
            .attr(
                "authentication_mode",
                AttrSchema::optional_computed(Type::String),
            )
            .attr(
                "bootstrap_cluster_creator_admin_permissions",
                AttrSchema::optional(Type::Bool)
                    .default(Value::Bool(true))
                    .force_new(),
            ),
        0,
    )
}

pub(super) fn read_access(x: &Api) -> Value {
    // Not reported (an emulator drops it): null, so state keeps what was applied.
    let Some(a) = x.access_config() else {
        return Value::Null;
    };
    let mode = a.authentication_mode().map(|m| Value::from(m.as_str()));
    let boot = a.bootstrap_cluster_creator_admin_permissions();
    Value::List(vec![Value::object([
        ("authentication_mode", mode.unwrap_or(Value::Null)),
        (
            "bootstrap_cluster_creator_admin_permissions",
            boot.map(Value::Bool).unwrap_or(Value::Null),
        ),
    ])])
}

pub(super) fn access_request(planned: &Value) -> Option<CreateAccessConfigRequest> {
    let a = first(planned, "access_config");
    if a.is_null() {
        return None;
    }
    let mode = s(a, "authentication_mode").map(|m| AuthenticationMode::from(m.as_str()));
    Some(
        CreateAccessConfigRequest::builder()
            .set_authentication_mode(mode)
            .set_bootstrap_cluster_creator_admin_permissions(flag(
                a,
                "bootstrap_cluster_creator_admin_permissions",
            ))
            .build(),
    )
}

/// The authentication mode to set in place, where it changed to a known value.
pub(super) fn access_update(prior: &Value, planned: &Value) -> Option<AuthenticationMode> {
    let mode = |v: &Value| s(first(v, "access_config"), "authentication_mode");
    let new = mode(planned)?;
    (mode(prior).as_deref() != Some(new.as_str())).then(|| AuthenticationMode::from(new.as_str()))
}

pub(super) fn network_config() -> BlockSchema {
    let new = || AttrSchema::optional_computed(Type::String).force_new();
    one_block(
        Schema::new()
            .attr("service_ipv4_cidr", new())
            .attr("ip_family", new())
            .attr("service_ipv6_cidr", AttrSchema::computed(Type::String)),
        0,
    )
}

pub(super) fn read_network(x: &Api) -> Value {
    let Some(n) = x.kubernetes_network_config() else {
        return Value::Null;
    };
    let o = |s: Option<&str>| s.map(Value::from).unwrap_or(Value::Null);
    Value::List(vec![Value::object([
        ("service_ipv4_cidr", o(n.service_ipv4_cidr())),
        ("service_ipv6_cidr", o(n.service_ipv6_cidr())),
        // EKS leaves it out for IPv4 clusters made before it existed.
        (
            "ip_family",
            Value::from(n.ip_family().map_or("ipv4", |f| f.as_str())),
        ),
    ])])
}

pub(super) fn network_request(planned: &Value) -> Option<KubernetesNetworkConfigRequest> {
    let n = first(planned, "kubernetes_network_config");
    if n.is_null() {
        return None;
    }
    Some(
        KubernetesNetworkConfigRequest::builder()
            .set_service_ipv4_cidr(s(n, "service_ipv4_cidr"))
            .set_ip_family(s(n, "ip_family").map(|f| IpFamily::from(f.as_str())))
            .build(),
    )
}

/// Every log type EKS has, for turning the ones left out off.
const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

pub(super) fn read_logs(x: &Api) -> Value {
    let on = x.logging().map(|l| l.cluster_logging()).unwrap_or_default();
    let types = on
        .iter()
        .filter(|s| s.enabled() == Some(true))
        .flat_map(|s| s.types().iter().map(|t| t.as_str().to_string()));
    Value::set(types.map(Value::from).collect())
}

/// `logging`: the configured types on and, on update, the others off.
pub(super) fn logging(planned: &Value, with_off: bool) -> Option<Logging> {
    let on = strings(planned.get_attr("enabled_cluster_log_types"));
    if on.is_empty() && !with_off {
        return None;
    }
    let setup = |types: Vec<&str>, enabled: bool| {
        let types = types.into_iter().map(LogType::from).collect();
        LogSetup::builder()
            .set_types(Some(types))
            .enabled(enabled)
            .build()
    };
    let off: Vec<&str> = LOG_TYPES
        .iter()
        .copied()
        .filter(|t| !on.iter().any(|o| o == t))
        .collect();
    let mut b = Logging::builder();
    if !on.is_empty() {
        b = b.cluster_logging(setup(on.iter().map(String::as_str).collect(), true));
    }
    if with_off && !off.is_empty() {
        b = b.cluster_logging(setup(off, false));
    }
    Some(b.build())
}

pub(super) fn certificate_authority_ty() -> Type {
    list_of(object_ty(&[("data", Type::String)]))
}

pub(super) fn read_certificate(x: &Api) -> Value {
    let data = x.certificate_authority().and_then(|c| c.data());
    Value::List(vec![Value::object([(
        "data",
        data.map(Value::from).unwrap_or(Value::Null),
    )])])
}

pub(super) fn identity_ty() -> Type {
    let oidc = list_of(object_ty(&[("issuer", Type::String)]));
    list_of(object_ty(&[("oidc", oidc)]))
}

pub(super) fn read_identity(x: &Api) -> Value {
    let issuer = x.identity().and_then(|i| i.oidc()).and_then(|o| o.issuer());
    let oidc = Value::List(vec![Value::object([(
        "issuer",
        issuer.map(Value::from).unwrap_or(Value::Null),
    )])]);
    Value::List(vec![Value::object([("oidc", oidc)])])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(private: bool, cidrs: &[&str], logs: &[&str]) -> Value {
        let cidrs = Value::set(cidrs.iter().map(|c| Value::from(*c)).collect());
        Value::object([
            (
                "vpc_config",
                Value::List(vec![Value::object([
                    ("subnet_ids", Value::set(vec![Value::from("subnet-1")])),
                    ("endpoint_private_access", Value::Bool(private)),
                    ("endpoint_public_access", Value::Bool(true)),
                    ("public_access_cidrs", cidrs),
                ])]),
            ),
            (
                "enabled_cluster_log_types",
                Value::set(logs.iter().map(|c| Value::from(*c)).collect()),
            ),
        ])
    }

    #[test]
    fn endpoint_changes_update_only_what_update_cluster_config_takes() {
        let prior = cluster(false, &["0.0.0.0/0"], &[]);
        assert!(vpc_update(&prior, &prior).is_none());
        let r = vpc_update(&prior, &cluster(true, &["0.0.0.0/0"], &[])).unwrap();
        assert_eq!(r.endpoint_private_access(), Some(true));
        assert!(
            r.subnet_ids().is_empty(),
            "subnets are force-new, never sent"
        );
        let r = vpc_update(&prior, &cluster(false, &["10.0.0.0/8"], &[])).unwrap();
        assert_eq!(r.public_access_cidrs(), ["10.0.0.0/8"]);
    }

    #[test]
    fn logging_turns_the_types_left_out_off_on_update() {
        let l = logging(&cluster(false, &[], &["api", "audit"]), true).unwrap();
        let on = &l.cluster_logging()[0];
        assert_eq!(on.enabled(), Some(true));
        assert_eq!(on.types(), [LogType::Api, LogType::Audit]);
        let off = &l.cluster_logging()[1];
        assert_eq!(off.enabled(), Some(false));
        assert_eq!(off.types().len(), 3);
        assert!(logging(&cluster(false, &[], &[]), false).is_none());
    }
}
