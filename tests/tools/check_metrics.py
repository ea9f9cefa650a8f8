#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check_metrics.py FILE: FILE is valid Prometheus text exposition format
(as node_exporter's textfile collector reads it): HELP and TYPE before a
family's samples, each sample 'name{label="value",...} number' with
values escaped as the format requires, no family twice, no sample twice.
Prints the samples, one per line, as 'name{labels} value' with the labels
decoded and sorted ('name key=value,key=value value'); exits 1 if invalid."""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
SAMPLE = re.compile(r"^(" + NAME + r")(?:\{(.*)\})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')


def labels(text):
    out, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        if not m:
            raise ValueError("bad labels at: " + text[pos:])
        value = re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n"
                       else e.group(1), m.group(2))
        if m.group(1) in out:
            raise ValueError("label twice: " + m.group(1))
        out[m.group(1)] = value
        pos = m.end()
    return out


def main():
    typed, helped, seen, done = {}, set(), set(), set()
    current = None
    samples = []
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    if not text.endswith("\n"):
        print("invalid: no newline at the end")
        return 1
    for n, line in enumerate(text.split("\n")[:-1], 1):
        try:
            if line.startswith("# HELP "):
                name = line.split(" ")[2]
                if name in helped or name in done:
                    raise ValueError("HELP twice for " + name)
                helped.add(name)
                if current and current != name:
                    done.add(current)
                current = name
            elif line.startswith("# TYPE "):
                _, _, name, kind = line.split(" ")
                if kind not in ("counter", "gauge", "untyped", "summary",
                                "histogram") or name in typed:
                    raise ValueError("bad TYPE line")
                typed[name] = kind
                if current and current != name:
                    done.add(current)
                current = name
            elif line.startswith("#"):
                continue
            else:
                m = SAMPLE.match(line)
                if not m:
                    raise ValueError("not a sample")
                name, lab, value = m.groups()
                float(value)
                if name != current or name in done:
                    raise ValueError("sample outside its family " + name)
                if typed.get(name) == "counter" and not name.endswith("_total"):
                    raise ValueError("a counter not named _total")
                lab = labels(lab or "")
                key = (name, tuple(sorted(lab.items())))
                if key in seen:
                    raise ValueError("sample twice")
                seen.add(key)
                samples.append("%s %s %s" % (name, ",".join(
                    "%s=%s" % kv for kv in sorted(lab.items())), value))
        except ValueError as e:
            print("invalid: line %d: %s: %r" % (n, e, line))
            return 1
    print("\n".join(samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
