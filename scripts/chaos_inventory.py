#!/usr/bin/env python3
"""What the AWS emulator holds against what a hubctl state records, for scripts/chaos.sh.

    chaos_inventory.py STATE_JSON      (AWS_ENDPOINT_URL names the emulator; AWS_REGION)

Lists every object of the services the hub uses (EC2 network objects, IAM, KMS, EKS) in the
emulator, keys each the way the state keys it (an id, a user-given name, or a natural key such
as a route's table + destination), and prints one JSON object:

  orphans     objects in the emulator that no state entry names (billed, never managed);
  duplicates  extra objects carrying one `hubctl:address` tag (two VPCs for one address);
  lost        state entries whose object the emulator does not have, or that are not ready;
  misfiled    an object two state entries name, or one whose address tag names another entry;
  details     what each of those is, for the report.

Objects AWS makes by itself are not orphans: the default VPC with its subnets, gateway and
defaults, and every VPC's main route table, default security group (and its rules) and
default network ACL, unless the state adopts one (aws_default_*). Exit status: 0 when all
four counts are 0, 1 otherwise, 2 on usage errors.
"""

import collections
import json
import os
import sys

import boto3

ADDRESS_TAG = "hubctl:address"
# State types that adopt an AWS-made object: they key the same objects as the plain type.
KIND_OF = {
    "aws_default_vpc": "aws_vpc",
    "aws_default_subnet": "aws_subnet",
    "aws_default_route_table": "aws_route_table",
    "aws_default_security_group": "aws_security_group",
    "aws_default_network_acl": "aws_network_acl",
}
ROUTE_DESTS = ("destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id")
API_DESTS = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId")


class Obj:
    """One emulator object: its state kind and key, its address tag, and whether AWS made it."""

    def __init__(self, kind, key, tags=None, implicit=False):
        self.kind, self.key, self.implicit = kind, key, implicit
        self.group = None  # a security group rule's group
        self.tag = (tags or {}).get(ADDRESS_TAG)


def tag_dict(tags, k="Key", v="Value"):
    return {t[k]: t[v] for t in tags or []}


def pages(client, op, key, **kw):
    """Every item of a paged list call."""
    out = []
    for page in client.get_paginator(op).paginate(**kw):
        out.extend(page.get(key, []))
    return out


def ec2_objects(ec2):
    objs = []
    vpcs = ec2.describe_vpcs()["Vpcs"]
    default_vpcs = {v["VpcId"] for v in vpcs if v.get("IsDefault")}
    for v in vpcs:
        objs.append(Obj("aws_vpc", v["VpcId"], tag_dict(v.get("Tags")), v["VpcId"] in default_vpcs))
    for s in ec2.describe_subnets()["Subnets"]:
        implicit = s["VpcId"] in default_vpcs or s.get("DefaultForAz", False)
        objs.append(Obj("aws_subnet", s["SubnetId"], tag_dict(s.get("Tags")), implicit))
    for g in ec2.describe_internet_gateways()["InternetGateways"]:
        attached = {a["VpcId"] for a in g.get("Attachments", [])}
        objs.append(Obj("aws_internet_gateway", g["InternetGatewayId"], tag_dict(g.get("Tags")),
                        bool(attached & default_vpcs)))
    for a in ec2.describe_addresses()["Addresses"]:
        objs.append(Obj("aws_eip", a["AllocationId"], tag_dict(a.get("Tags"))))
    for n in ec2.describe_nat_gateways()["NatGateways"]:
        if n.get("State") in ("pending", "available"):
            objs.append(Obj("aws_nat_gateway", n["NatGatewayId"], tag_dict(n.get("Tags"))))
    objs += route_table_objects(ec2, default_vpcs)
    objs += security_group_objects(ec2, default_vpcs)
    for acl in ec2.describe_network_acls()["NetworkAcls"]:
        implicit = acl.get("IsDefault", False) or acl["VpcId"] in default_vpcs
        objs.append(Obj("aws_network_acl", acl["NetworkAclId"], tag_dict(acl.get("Tags")), implicit))
    for r in ec2.describe_instances()["Reservations"]:
        for i in r["Instances"]:
            if i["State"]["Name"] != "terminated":
                objs.append(Obj("aws_instance", i["InstanceId"], tag_dict(i.get("Tags"))))
    return objs


def route_table_objects(ec2, default_vpcs):
    """Tables, their routes (not `local`) and their subnet/gateway associations."""
    objs = []
    for t in ec2.describe_route_tables()["RouteTables"]:
        rtb, in_default = t["RouteTableId"], t["VpcId"] in default_vpcs
        main = any(a.get("Main") for a in t.get("Associations", []))
        objs.append(Obj("aws_route_table", rtb, tag_dict(t.get("Tags")), in_default or main))
        for r in t.get("Routes", []):
            if r.get("GatewayId") == "local":
                continue
            dest = next((r[k] for k in API_DESTS if r.get(k)), None)
            objs.append(Obj("aws_route", (rtb, dest), implicit=in_default))
        for a in t.get("Associations", []):
            state = a.get("AssociationState", {}).get("State", "associated")
            if a.get("Main") or state not in ("associated", "associating"):
                continue
            objs.append(Obj("aws_route_table_association", a["RouteTableAssociationId"],
                            implicit=in_default))
    return objs


def security_group_objects(ec2, default_vpcs):
    """Groups and their rules; a default group's own rules are AWS's."""
    objs, default_sgs = [], set()
    for g in ec2.describe_security_groups()["SecurityGroups"]:
        implicit = g["GroupName"] == "default" or g.get("VpcId") in default_vpcs
        if implicit:
            default_sgs.add(g["GroupId"])
        objs.append(Obj("aws_security_group", g["GroupId"], tag_dict(g.get("Tags")), implicit))
    for r in ec2.describe_security_group_rules()["SecurityGroupRules"]:
        o = Obj("security_group_rule", r["SecurityGroupRuleId"], tag_dict(r.get("Tags")),
                r["GroupId"] in default_sgs)
        o.group = r["GroupId"]
        objs.append(o)
    return objs


def iam_objects(iam):
    objs = []
    for r in pages(iam, "list_roles", "Roles"):
        name = r["RoleName"]
        implicit = r.get("Path", "/").startswith("/aws-service-role/")
        tags = tag_dict(iam.list_role_tags(RoleName=name).get("Tags"))
        objs.append(Obj("aws_iam_role", name, tags, implicit))
        for p in pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name):
            objs.append(Obj("aws_iam_role_policy_attachment", (name, p["PolicyArn"]), implicit=implicit))
        for p in pages(iam, "list_role_policies", "PolicyNames", RoleName=name):
            objs.append(Obj("aws_iam_role_policy", (name, p), implicit=implicit))
    for p in pages(iam, "list_policies", "Policies", Scope="Local"):
        tags = tag_dict(iam.list_policy_tags(PolicyArn=p["Arn"]).get("Tags"))
        objs.append(Obj("aws_iam_policy", p["Arn"], tags))
    for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        arn = p["Arn"]
        tags = tag_dict(iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn).get("Tags"))
        objs.append(Obj("aws_iam_openid_connect_provider", arn, tags))
    return objs


def kms_objects(kms):
    objs = []
    for k in pages(kms, "list_keys", "Keys"):
        meta = kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]
        if meta.get("KeyManager") != "CUSTOMER":
            continue
        tags = tag_dict(kms.list_resource_tags(KeyId=k["KeyId"]).get("Tags"), "TagKey", "TagValue")
        objs.append(Obj("aws_kms_key", k["KeyId"], tags))
    for a in pages(kms, "list_aliases", "Aliases"):
        if not a["AliasName"].startswith("alias/aws/"):
            objs.append(Obj("aws_kms_alias", a["AliasName"]))
    return objs


def eks_objects(eks):
    objs = []
    for name in pages(eks, "list_clusters", "clusters"):
        tags = eks.describe_cluster(name=name)["cluster"].get("tags", {})
        objs.append(Obj("aws_eks_cluster", name, tags))
        for ng in pages(eks, "list_nodegroups", "nodegroups", clusterName=name):
            ngt = eks.describe_nodegroup(clusterName=name, nodegroupName=ng)["nodegroup"].get("tags", {})
            objs.append(Obj("aws_eks_node_group", f"{name}:{ng}", ngt))
    return objs


def emulator_objects(endpoint, region):
    def client(service):
        return boto3.client(service, endpoint_url=endpoint, region_name=region)

    return (ec2_objects(client("ec2")) + iam_objects(client("iam"))
            + kms_objects(client("kms")) + eks_objects(client("eks")))


def state_key(kind, a):
    """The key of the object a state entry records, as the emulator listing keys it."""
    if kind == "aws_route":
        return (a.get("route_table_id"), next((a[k] for k in ROUTE_DESTS if a.get(k)), None))
    if kind == "aws_iam_role_policy_attachment":
        return (a.get("role"), a.get("policy_arn"))
    if kind == "aws_iam_role_policy":
        return (a.get("role"), a.get("name"))
    if kind in ("aws_iam_role", "aws_eks_cluster", "aws_kms_alias"):
        return a.get("name")
    if kind == "aws_iam_openid_connect_provider":
        return a.get("arn")
    if kind == "aws_eks_node_group":
        return f"{a.get('cluster_name')}:{a.get('node_group_name')}"
    if kind == "aws_kms_key":
        return a.get("key_id") or a.get("id")
    if kind.startswith("aws_vpc_security_group_") and kind.endswith("_rule"):
        return a.get("security_group_rule_id") or a.get("id")
    return a.get("id")


def state_entries(path):
    """(address, kind, key, status) of every managed instance of the state at `path`."""
    with open(path) as f:
        state = json.load(f)
    out = []
    for address, r in state.get("resources", {}).items():
        if r.get("mode") != "managed" or not r.get("type", "").startswith("aws_"):
            continue
        kind = KIND_OF.get(r["type"], r["type"])
        if kind.startswith("aws_vpc_security_group_") and kind.endswith("_rule"):
            kind = "security_group_rule"
        attrs = r.get("attributes") or {}
        out.append((address, kind, state_key(r["type"], attrs), r.get("status", "ready")))
    return out


def compare(objs, entries):
    """The four counts and what each counted."""
    held = collections.defaultdict(list)  # (kind, key) -> addresses
    for address, kind, key, _ in entries:
        held[(kind, key)].append(address)
    in_state_sg = {key for (kind, key) in held if kind == "aws_security_group"}
    live = {(o.kind, o.key): o for o in objs}
    d = {"orphans": [], "duplicates": [], "lost": [], "misfiled": []}
    for o in objs:
        if (o.kind, o.key) in held or o.implicit:
            continue
        # A group's inline rules are part of the group the state records.
        if o.kind == "security_group_rule" and o.group in in_state_sg:
            continue
        d["orphans"].append(f"{o.kind} {o.key} (tag {o.tag})")
    by_tag = collections.defaultdict(list)
    for o in objs:
        if o.tag:
            by_tag[o.tag].append(o)
    for tag, group in sorted(by_tag.items()):
        for o in group[1:]:
            d["duplicates"].append(f"{tag}: {o.kind} {o.key} besides {group[0].key}")
    for address, kind, key, status in entries:
        if (kind, key) not in live:
            d["lost"].append(f"{address} ({kind} {key})")
        elif status != "ready":
            d["lost"].append(f"{address} is still {status}")
        else:
            o = live[(kind, key)]
            if o.tag and o.tag != address and KIND_OF.get(kind) is None:
                d["misfiled"].append(f"{address} holds {kind} {key} tagged {o.tag}")
    for (kind, key), addresses in held.items():
        if len(addresses) > 1:
            d["misfiled"].append(f"{kind} {key} is held by {', '.join(addresses)}")
    return d


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        print("error: AWS_ENDPOINT_URL is not set (the emulator's address)", file=sys.stderr)
        return 2
    region = os.environ.get("AWS_REGION", "us-east-1")
    d = compare(emulator_objects(endpoint, region), state_entries(argv[1]))
    report = {k: len(v) for k, v in d.items()}
    report["details"] = d
    print(json.dumps(report, indent=1, default=str))
    return 0 if all(len(v) == 0 for v in d.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
