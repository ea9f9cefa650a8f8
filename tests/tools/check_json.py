#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check_json.py JSON FIELDS: nfdropcap's --json lines against the pcapng
of the same run, packet by packet.

JSON is what --json printed; FIELDS is tshark's
  -T fields -E separator='|' -e frame.time_epoch -e frame.interface_name
  -e frame.packet_flags_direction -e frame.len -e frame.cap_len
  -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e ip.proto -e ipv6.nxt
  -e udp.srcport -e tcp.srcport -e udp.dstport -e tcp.dstport
  -e frame.comment
of the file. Every line must be one JSON object with exactly the keys of
the issue, each equal to what the file says. Prints one line per problem
and "N drops checked"; exits 1 on any problem."""
import datetime
import json
import re
import sys

KEYS = ["time", "netns", "interface", "direction", "attributed", "family",
        "table", "chain", "handle", "policy", "verdict", "rule", "reason",
        "src", "dst", "proto", "sport", "dport", "length", "caplen"]
FIRST = re.compile(r"^table (\S+) (\S+) chain (\S+) (?:handle (\d+)|policy) "
                   r"(\w+)(?:: (.*))?$")
PROTOS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "ipv6-icmp"}


def epoch_ns(rfc3339):
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{9})Z", rfc3339)
    if not m:
        raise ValueError("time not RFC 3339 UTC with nanoseconds: " + rfc3339)
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    t = t.replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 10**9 + int(m.group(2))


def expected(fields):
    (ts, ifname, direction, flen, caplen, src4, src6, dst4, dst6, proto4,
     proto6, usport, tsport, udport, tdport, comment) = fields
    lines = comment.split("\\n")
    want = {
        "interface": ifname,
        "direction": {1: "in", 2: "out"}.get(int(direction, 0) & 3),
        "length": int(flen), "caplen": int(caplen),
        "src": src4 or src6 or None, "dst": dst4 or dst6 or None,
        "proto": PROTOS.get(proto4 or proto6),
        "sport": int(usport or tsport) if (usport or tsport) else None,
        "dport": int(udport or tdport) if (udport or tdport) else None,
    }
    sec, _, frac = ts.partition(".")
    want["time_ns"] = int(sec) * 10**9 + int((frac + "000000000")[:9])
    m = FIRST.match(lines[0])
    if m:
        want.update(attributed=True, family=m.group(1), table=m.group(2),
                    chain=m.group(3), policy=m.group(4) is None,
                    handle=int(m.group(4)) if m.group(4) else None,
                    verdict=m.group(5), rule=m.group(6), reason=None)
    else:
        r = re.search(r"\(not attributed: (.*)\)$", lines[0])
        want.update(attributed=False, family=None, table=None, chain=None,
                    policy=False, handle=None, verdict=None, rule=None,
                    reason=r.group(1) if r else lines[0])
    for line in lines[1:]:
        m = re.match(r"^netns (.*) interface .* (inbound|outbound)$", line)
        if m:
            want["netns"] = m.group(1)
    return want


def main():
    problems = 0
    objs = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                obj = json.loads(line)
            except ValueError as e:
                print(f"line {n}: not JSON ({e}): {line!r}")
                problems += 1
                continue
            if not isinstance(obj, dict) or sorted(obj) != sorted(KEYS):
                print(f"line {n}: keys {sorted(obj)} are not {sorted(KEYS)}")
                problems += 1
            objs.append(obj)
    with open(sys.argv[2], encoding="utf-8") as f:
        rows = [l.rstrip("\n").split("|", 15) for l in f if l.strip()]
    if len(rows) != len(objs):
        print(f"{len(objs)} JSON lines, {len(rows)} packets in the file")
        problems += 1
    for n, (obj, row) in enumerate(zip(objs, rows), 1):
        want = expected(row)
        got = dict(obj)
        try:
            got["time_ns"] = epoch_ns(got.pop("time"))
        except (ValueError, AttributeError) as e:
            print(f"line {n}: {e}")
            problems += 1
            continue
        for k, v in want.items():
            if got.get(k) != v:
                print(f"line {n}: {k} is {got.get(k)!r}, the file says {v!r}")
                problems += 1
    print(f"{len(objs)} drops checked, {problems} problems")
    return 1 if problems or not objs else 0


if __name__ == "__main__":
    sys.exit(main())
