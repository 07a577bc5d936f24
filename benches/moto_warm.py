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

CALLS = {
    "sts": lambda c: c.get_caller_identity(),
    "ec2": lambda c: c.describe_vpcs(),
    "iam": lambda c: c.list_roles(MaxItems=1),
    "kms": lambda c: c.list_keys(Limit=1),
    "eks": lambda c: c.list_clusters(),
}


def main():
    ep = os.environ["AWS_ENDPOINT_URL"]
    if not ep.startswith(("http://127.0.0.1", "http://[::1]", "http://localhost")):
        sys.exit("AWS_ENDPOINT_URL must be a loopback emulator")
    region = os.environ.get("AWS_REGION", "us-east-1")
    for service, call in CALLS.items():
        call(boto3.client(service, endpoint_url=ep, region_name=region))


if __name__ == "__main__":
    main()
