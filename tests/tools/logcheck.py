#!/usr/bin/env python3
"""logcheck.py - checks a liaison log from outside, with nothing of liaison's
code: only the formats of docs/log.md, Python's hashlib and the openssl tool.

usage: logcheck.py ENTRIES.json CHECKPOINT PUBKEY [PROOF.json]

  ENTRIES.json  the output of `liaison --json log entries`
  CHECKPOINT    a signed checkpoint (`liaison log checkpoint`)
  PUBKEY        the node's public key line (keys/PARTY.pub)
  PROOF.json    the output of `liaison --json log prove --index I --size N`

Checks the checkpoint's Ed25519 signature and key ID, recomputes the RFC 9162
root of the first N entries and compares it with the checkpoint's, and checks
the inclusion proof against that root. Exit 0 when all hold, 1 otherwise."""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile


def fail(msg):
    print("logcheck: " + msg, file=sys.stderr)
    sys.exit(1)


def h(b):
    return hashlib.sha256(b).digest()


def leaf(entry):
    return h(b"\x00" + entry)


def node(left, right):
    return h(b"\x01" + left + right)


def mth(leaves):
    if not leaves:
        return h(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


def verify_inclusion(index, size, leaf_hash, path, root):
    # RFC 9162, 2.1.3.2
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def ed25519_verify(pk, msg, sig):
    der = bytes.fromhex("302a300506032b6570032100") + pk
    pem = b"-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der) + b"\n-----END PUBLIC KEY-----\n"
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for name, data in (("pub.pem", pem), ("msg", msg), ("sig", sig)):
            paths[name] = os.path.join(d, name)
            with open(paths[name], "wb") as f:
                f.write(data)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", paths["pub.pem"],
                            "-rawin", "-in", paths["msg"], "-sigfile", paths["sig"]],
                           capture_output=True)
        return r.returncode == 0


def main():
    if len(sys.argv) not in (4, 5):
        fail(__doc__.split("\n\n")[1])
    entries = json.load(open(sys.argv[1]))["entries"]
    data = [base64.b64decode(e["data"]) for e in entries]
    for i, e in enumerate(entries):
        if e["index"] != i:
            fail("entries must start at index 0 and follow on")
    note = open(sys.argv[2], "rb").read()
    publine = open(sys.argv[3]).read().split()
    # liaison-public-key/v1 PARTY ed25519=BASE64 x25519=BASE64
    pk = base64.b64decode(publine[2].split("=", 1)[1])

    text, sep, sigs = note.partition(b"\n\n")
    if not sep:
        fail("checkpoint: no blank line")
    text += b"\n"
    lines = text.decode().split("\n")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2])
    key_id = h(origin.encode() + b"\n\x01" + pk)[:4]
    ok = False
    for line in sigs.decode().splitlines():
        dash, name, sig = line.split(" ")
        sig = base64.b64decode(sig)
        if dash != "\u2014" or name != origin or sig[:4] != key_id:
            continue
        if not ed25519_verify(pk, text, sig[4:]):
            fail("checkpoint: the signature of %s does not verify" % origin)
        ok = True
    if not ok:
        fail("checkpoint: no signature of %s" % origin)
    if size > len(data):
        fail("checkpoint: size %d but only %d entries given" % (size, len(data)))
    leaves = [leaf(d) for d in data[:size]]
    if mth(leaves) != root:
        fail("the entries do not give the checkpoint's root at size %d" % size)
    for i, d in enumerate(data):
        if json.loads(d)["seq"] != i:
            fail("entry %d says it is entry %s" % (i, json.loads(d)["seq"]))
    print("ok: %s, %d entries, root and signature check" % (origin, size))

    if len(sys.argv) == 5:
        proof = json.load(open(sys.argv[4]))
        i, n = proof["index"], proof["size"]
        path = [base64.b64decode(p) for p in proof["proof"]]
        if n != size:
            fail("the proof is for size %d, the checkpoint for %d" % (n, size))
        if base64.b64decode(proof["leaf_hash"]) != leaves[i]:
            fail("the proof's leaf hash is not entry %d's" % i)
        if not verify_inclusion(i, n, leaves[i], path, root):
            fail("the inclusion proof of entry %d does not lead to the checkpoint's root" % i)
        print("ok: entry %d is in the tree of %d entries" % (i, n))


main()
