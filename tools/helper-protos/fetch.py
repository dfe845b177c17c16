#!/usr/bin/env python3
"""Fetches the kernel files check.py reads (kernel/bpf/*.c, net/core/*.c,
kernel/trace/bpf_trace.c, include/linux/bpf.h, include/uapi/linux/bpf.h) from Debian's
linux-source package into target/helper-protos/<package>/src (GPL: a cache, never committed),
through tools/verifier-selftests/source.py (apt when it has a candidate, else Debian's pool).

    python3 tools/helper-protos/fetch.py [linux-source-X.Y]   # prints the tree's root
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT = "linux-source-6.12"

FILES = [
    "kernel/bpf/*.c",
    "net/core/*.c",
    "kernel/trace/bpf_trace.c",
    "include/linux/bpf.h",
    "include/uapi/linux/bpf.h",
]


def fetch(package: str) -> Path:
    """The root of the extracted tree of `package` (downloaded and extracted once)."""
    os.environ["VERIFIER_SELFTESTS_SOURCE"] = package
    sys.path.insert(0, str(REPO / "tools" / "verifier-selftests"))
    import importlib

    import source  # noqa: E402  (reads VERIFIER_SELFTESTS_SOURCE at import)

    source = importlib.reload(source)  # another package than the one of a former call

    cache = Path(os.environ.get("HELPER_PROTOS_CACHE", REPO / "target" / "helper-protos")) / package
    cache.mkdir(parents=True, exist_ok=True)
    patterns = [f"{package}/{f}" for f in FILES]
    return source.fetch(cache, patterns, what="the helper prototypes' sources")


if __name__ == "__main__":
    print(fetch(sys.argv[1] if len(sys.argv) > 1 else DEFAULT))
