#!/usr/bin/env python3
"""How long moto takes to answer each AWS call of the hub's no-op plan, one call at a time.

hubctl's no-op plan of the hub sends its 18 calls together (benches/results/hub.md lists them),
and moto answers them about one after another (one Python process). So the sum of these answer
times bounds the no-op plan from below, whatever hubctl does. Each figure is the median of 5
calls, after one untimed warm-up call. The times include boto3's own client overhead, a few
hundred microseconds per call.

Usage, with the hub applied (scripts/demo.sh's first half, or benches/hub.sh --keep):
    AWS_ENDPOINT_URL=http://127.0.0.1:PORT AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \\
    AWS_EC2_METADATA_DISABLED=true "$HUBCTL_PYTHON" benches/moto_calls.py [CLUSTER]
CLUSTER defaults to hub-staging (examples/hub). The project's venv has boto3 (moto needs it).
"""
import os
import statistics
import sys
import time

import boto3


def clients():
    ep = os.environ["AWS_ENDPOINT_URL"]
    if not ep.startswith(("http://127.0.0.1", "http://[::1]", "http://localhost")):
        sys.exit("AWS_ENDPOINT_URL must be a loopback emulator")
    return {s: boto3.client(s, endpoint_url=ep, region_name="us-east-1")
            for s in ("ec2", "iam", "eks", "kms", "sts")}


def calls(c, cluster):
    kms = c["kms"]
    keys = kms.list_keys()["Keys"]
    if not keys:
        sys.exit("no KMS key: apply the hub first")
    kid = keys[0]["KeyId"]
    ec2, iam, eks = c["ec2"], c["iam"], c["eks"]
    groups = eks.list_nodegroups(clusterName=cluster)["nodegroups"]
    return [
        ("sts:GetCallerIdentity", lambda: c["sts"].get_caller_identity()),
        ("ec2:DescribeAvailabilityZones", lambda: ec2.describe_availability_zones()),
        ("iam:ListRoles", lambda: iam.list_roles()),
        ("iam:GetAccountAuthorizationDetails",
         lambda: iam.get_account_authorization_details(Filter=["Role"])),
        ("ec2:DescribeRouteTables", lambda: ec2.describe_route_tables()),
        ("ec2:DescribeAddresses", lambda: ec2.describe_addresses()),
        ("eks:DescribeCluster", lambda: eks.describe_cluster(name=cluster)),
        ("eks:DescribeNodegroup",
         lambda: eks.describe_nodegroup(clusterName=cluster, nodegroupName=groups[0])),
        ("iam:ListOpenIDConnectProviders", lambda: iam.list_open_id_connect_providers()),
        ("ec2:DescribeInternetGateways", lambda: ec2.describe_internet_gateways()),
        ("kms:ListAliases", lambda: kms.list_aliases()),
        ("kms:DescribeKey", lambda: kms.describe_key(KeyId=kid)),
        ("kms:GetKeyRotationStatus", lambda: kms.get_key_rotation_status(KeyId=kid)),
        ("kms:GetKeyPolicy", lambda: kms.get_key_policy(KeyId=kid, PolicyName="default")),
        ("kms:ListResourceTags", lambda: kms.list_resource_tags(KeyId=kid)),
        ("ec2:DescribeNatGateways", lambda: ec2.describe_nat_gateways()),
        ("ec2:DescribeSubnets", lambda: ec2.describe_subnets()),
        ("ec2:DescribeVpcs", lambda: ec2.describe_vpcs()),
    ]


def main():
    cluster = sys.argv[1] if len(sys.argv) > 1 else "hub-staging"
    total = 0.0
    print("| call | moto ms (median of 5) |\n|---|---:|")
    for name, call in calls(clients(), cluster):
        call()
        times = []
        for _ in range(5):
            t = time.perf_counter()
            call()
            times.append((time.perf_counter() - t) * 1000)
        median = statistics.median(times)
        total += median
        print(f"| {name} | {median:.1f} |")
    print(f"| **sum** | **{total:.1f}** |")


if __name__ == "__main__":
    main()
