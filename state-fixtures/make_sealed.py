#!/usr/bin/env python3
"""Derives the damaged and sealed fixtures from hubctl-v1.state.json (written by hubctl).

The envelopes are made here, with Python's `cryptography`, from the format described in
crates/core/src/state/crypto.rs, so the Rust reader is checked against a second, independent
writer. The key-encryption key is the fixed test key of `StaticKey` in the tests
(32 bytes of 0x11); it protects nothing real.

Run from the repository root: python3 state-fixtures/make_sealed.py
"""
import base64
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DIR = os.path.dirname(os.path.abspath(__file__))
KEK = bytes([0x11] * 32)
KEY_ID = "fixture-kek"
LOCATION = "s3://fixtures/hub.hubstate"
MAGIC = b"HUBCTL-ENVELOPE/1\n"


def context_aad(location, lineage):
    # StaticKey binds a data key to the envelope as KMS binds an encryption context.
    return json.dumps(
        [["hubctl:location", location], ["hubctl:lineage", lineage]], separators=(",", ":")
    ).encode()


def seal(plain, lineage, bound=True):
    data_key = AESGCM.generate_key(bit_length=256)
    wrap_nonce = os.urandom(12)
    aad = context_aad(LOCATION, lineage) if bound else b""
    wrapped = wrap_nonce + AESGCM(KEK).encrypt(wrap_nonce, data_key, aad)
    nonce = os.urandom(12)
    header = {
        "alg": "AES-256-GCM",
        "version": 1,
        "key_id": KEY_ID,
        "wrapped_key": base64.b64encode(wrapped).decode(),
        "nonce": base64.b64encode(nonce).decode(),
        "location": LOCATION,
        "lineage": lineage,
    }
    if bound:
        header["key_bound"] = True
    head = MAGIC + json.dumps(header, separators=(",", ":")).encode() + b"\n"
    return head + AESGCM(data_key).encrypt(nonce, plain, head)


def write(name, data):
    with open(os.path.join(DIR, name), "wb") as f:
        f.write(data)


def main():
    with open(os.path.join(DIR, "hubctl-v1.state.json"), "rb") as f:
        plain = f.read()
    lineage = json.loads(plain)["lineage"]
    write("hubctl-v1.truncated.state.json", plain[: len(plain) // 2])
    future = json.loads(plain)
    future["version"] = 99
    write("hubctl-v99.state.json", (json.dumps(future, indent=2) + "\n").encode())
    sealed = seal(plain, lineage)
    write("sealed.hubstate", sealed)
    write("sealed-unbound-key.hubstate", seal(plain, lineage, bound=False))
    tampered = bytearray(sealed)
    tampered[-40] ^= 0x01
    write("sealed-tampered.hubstate", bytes(tampered))
    write("sealed-wrong-lineage.hubstate", seal(plain, "00000000-0000-0000-0000-000000000000"))


if __name__ == "__main__":
    main()
