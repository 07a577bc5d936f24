"""The moto server (the local AWS emulator) as hubctl's tests, demo and benches start it.

Two corrections to moto 5, where it differs from AWS in what a disaster-recovery drill
(objects deleted behind hubctl's back, then rebuilt) depends on:
- AWS gives every EKS cluster its own OIDC issuer and API endpoint; moto draws one of each
  per process, so a cluster created again would come back with the old issuer and nothing
  would prove that the IRSA trust policies follow the new one. Here each cluster gets its
  own, in AWS's shapes.
- Deleting a NAT gateway in AWS disassociates its Elastic IP (it stays allocated), so a new
  gateway can take it; moto keeps it associated and refuses the new one.
Everything else is moto as installed. Usage: as `python -m moto.server`.
"""
import sys
import uuid

import moto.ec2.models.nat_gateways as nat
import moto.eks.models as eks
from moto.server import main

_cluster_init = eks.Cluster.__init__


def _own_issuer(self, *args, **kwargs):
    _cluster_init(self, *args, **kwargs)
    region = self.arn.split(":")[3]
    ident = uuid.uuid4().hex.upper()
    self.identity = {"oidc": {"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{ident}"}}
    self.endpoint = f"https://{ident}.gr7.{region}.eks.amazonaws.com"


eks.Cluster.__init__ = _own_issuer

_delete_nat_gateway = nat.NatGatewayBackend.delete_nat_gateway


def _release_addresses(self, nat_gateway_id):
    gateway = _delete_nat_gateway(self, nat_gateway_id)
    for address in gateway.address_set:
        if address.get("associationId"):
            self.disassociate_address(association_id=address["associationId"])
            address["associationId"] = None
    return gateway


nat.NatGatewayBackend.delete_nat_gateway = _release_addresses

if __name__ == "__main__":
    main(sys.argv[1:])
