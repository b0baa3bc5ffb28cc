#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes audit_vectors.json: an audit hash chain computed independently of Tessera's C++,
from the byte format documented in core/store/auditlog.h. tst_auditlog checks that the C++
produces the same canonical details and hashes. Run: python3 make_audit_vectors.py"""
import hashlib
import json
import struct

MAGIC = b"TESSERA-AUDIT-V1"


def s(text):
    b = text.encode("utf-8")
    return struct.pack(">I", len(b)) + b


def opt(text):
    return b"\x00" if text is None else b"\x01" + s(text)


def content(e):
    return (MAGIC + struct.pack(">q", e["seq"]) + struct.pack(">q", e["ts"]) + s(e["kind"]) + s(e["actor"])
            + opt(e["client_id"]) + opt(e["resource"]) + opt(e["grant_id"]) + s(e["details"]))


events = [
    dict(ts=1767225600000, kind="client.registered", actor="client:vscode", client_id="vscode", resource=None,
         grant_id=None, details_input={"redirect_uris": ["http://127.0.0.1/"], "client_name": "Visual Studio Code"}),
    dict(ts=1767225601234, kind="grant.created", actor="user", client_id="vscode",
         resource="http://127.0.0.1:8931/mcp", grant_id="g-1",
         details_input={"scopes": ["read", "write"], "duration": "1h", "nested": {"z": 1, "a": [True, None]}}),
    dict(ts=1767225602000, kind="note", actor="system", client_id=None, resource=None, grant_id=None,
         details_input={"text": "Caf\u00e9 \u2713 \"quoted\" back\\slash", "\u00e9": 0, "n": -42}),
    dict(ts=-5, kind="empty", actor="system", client_id=None, resource=None, grant_id=None, details_input={}),
]

prev = bytes(32)
out = []
for seq, e in enumerate(events, start=1):
    e = dict(e)
    e["seq"] = seq
    e["details"] = json.dumps(e["details_input"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    h = hashlib.sha256(prev + content(e)).digest()
    e["prev_hash"] = prev.hex()
    e["hash"] = h.hex()
    prev = h
    out.append(e)

with open("audit_vectors.json", "w", encoding="utf-8") as f:
    json.dump({"format": "TESSERA-AUDIT-V1", "events": out}, f, indent=2, ensure_ascii=False)
    f.write("\n")
