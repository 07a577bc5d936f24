#!/usr/bin/env python3
"""Makes moto build every service backend the benchmarks use, before anything is timed.

moto builds a service's backend on that service's first request. This is slow: on this
machine the first IAM request takes about 1 s (MOTO_IAM_LOAD_MANAGED_POLICIES loads the AWS
managed policies), EC2 0.35 s, EKS 0.1 s. Later requests take 3-10 ms. The warm-up plan of
benches/compare.sh reaches only STS and EC2, so the first timed step paid for the other
services' start-up. That cost belongs to the emulator, not to either tool. One read-only call
per service, after each start and reset, takes it out of every timed step.

Usage: AWS_ENDPOINT_URL=http://127.0.0.1:PORT "$HUBCTL_PYTHON" benches/moto_warm.py
(static dummy credentials and AWS_EC2_METADATA_DISABLED=true in the environment).
"""
import os
import sys

import boto3

# One read-only call per read operation the tools' refreshes use: moto also renders each
# operation's answer from a template it compiles on that operation's first use (10-20 ms each),
# so a tool whose apply makes no Describe would pay for them in its first plan instead.
CALLS = {
    "sts": ["get_caller_identity"],
    "ec2": ["describe_vpcs", "describe_subnets", "describe_route_tables", "describe_addresses",
            "describe_nat_gateways", "describe_internet_gateways", "describe_security_groups",
            "describe_network_acls", "describe_availability_zones"],
    "iam": ["list_roles", "get_account_authorization_details", "list_open_id_connect_providers"],
    "kms": ["list_keys", "list_aliases"],
    "eks": ["list_clusters"],
}


def main():
    ep = os.environ["AWS_ENDPOINT_URL"]
    if not ep.startswith(("http://127.0.0.1", "http://[::1]", "http://localhost")):
        sys.exit("AWS_ENDPOINT_URL must be a loopback emulator")
    region = os.environ.get("AWS_REGION", "us-east-1")
    for service, calls in CALLS.items():
        client = boto3.client(service, endpoint_url=ep, region_name=region)
        for call in calls:
            getattr(client, call)()


if __name__ == "__main__":
    main()
