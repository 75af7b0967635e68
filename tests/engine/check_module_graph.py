#!/usr/bin/env python3
"""The engine's module graph (docs/architecture.md): every #include "m/x.h" from
a file of module n must be an edge n -> m allowed below, so the graph stays
acyclic and layered. A new module or a new edge is a deliberate change here
and in docs/architecture.md. Exit 1 naming every offending include."""
import os
import re
import sys

# module -> the modules it may include (transitively closed is not needed:
# each edge is listed where it is used).
ALLOWED = {
    "common": set(),
    "capture": {"common"},
    "flow": {"common", "capture"},
    "quic": {"common", "capture", "flow"},
    "features": {"common", "flow"},
    "catalog": {"common", "flow"},
    "ingest": {"common", "capture", "flow", "quic", "catalog"},
    "report": {"common", "catalog"},
    "dataset": {"common", "flow", "features", "catalog"},
    "models": {"common", "flow", "features", "dataset", "report"},
    "eval": {"common", "catalog", "features", "dataset", "models", "report"},
    "tasks": {"common", "catalog", "dataset", "ingest", "models", "eval", "report"},
}


def main():
    engine = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "engine")
    bad = []
    seen = 0
    for d, _, files in os.walk(engine):
        for f in files:
            if not f.endswith((".cpp", ".h")):
                continue
            path = os.path.join(d, f)
            rel = os.path.relpath(path, engine)
            module = rel.split(os.sep)[0]
            if module not in ALLOWED:
                bad.append(f"{rel}: module '{module}' is not in the module graph")
                continue
            seen += 1
            with open(path, encoding="utf-8", errors="replace") as fh:
                for n, line in enumerate(fh, 1):
                    m = re.match(r'\s*#\s*include\s+"([A-Za-z_]+)/', line)
                    if m and m.group(1) != module and m.group(1) not in ALLOWED[module]:
                        bad.append(f"{rel}:{n}: {module} -> {m.group(1)} is not an allowed edge")
    if seen == 0:
        print(f"no engine sources under {engine}")
        return 1
    if bad:
        print("\n".join(bad))
        return 1
    print(f"checked {seen} engine files: the module graph holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
