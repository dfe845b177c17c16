"""Where the selftests come from: Debian's linux-source package (apt, or Debian's index and
pool by URL, SHA256 checked), its extraction into the cache, and the include directories the
converter compiles with. Used by convert.py (the converter proper)."""

import hashlib
import lzma
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

DEFAULT_SOURCE = "linux-source-6.12"
PACKAGE = os.environ.get("VERIFIER_SELFTESTS_SOURCE") or DEFAULT_SOURCE
if not re.fullmatch(r"linux-source-\d+\.\d+", PACKAGE):
    raise SystemExit(f"VERIFIER_SELFTESTS_SOURCE={PACKAGE!r}: expected linux-source-MAJOR.MINOR")
SRC_PREFIX = PACKAGE
# Where a source apt has no candidate for is looked up (Debian's mirror; newest suite first).
DEBIAN_MIRROR = os.environ.get("VERIFIER_SELFTESTS_MIRROR", "http://deb.debian.org/debian")
INDEX_SUITES = ["sid", "trixie-backports"]
PROGS = "tools/testing/selftests/bpf/progs"
EXTRACT = [
    f"{SRC_PREFIX}/{PROGS}/verifier_*.c",
    f"{SRC_PREFIX}/{PROGS}/*.h",
    f"{SRC_PREFIX}/tools/testing/selftests/bpf/*.h",
    f"{SRC_PREFIX}/tools/include/*",
    # the tree's own libbpf headers (bpf_helpers.h, bpf_core_read.h, ...): newer selftests use
    # what the installed libbpf lacks (bpf_ksym_exists, bpf_for, __arg_nonnull, kfunc externs)
    f"{SRC_PREFIX}/tools/lib/bpf/*.h",
]


def log(msg):
    print(f"[verifier-selftests] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def cache_dir() -> Path:
    """The cache of the default source; another source has its own subdirectory in it."""
    env = os.environ.get("VERIFIER_SELFTESTS_CACHE")
    if env:
        base = Path(env).resolve()
    else:
        base = Path(__file__).resolve().parents[2] / "target" / "verifier-selftests"
    return base if PACKAGE == DEFAULT_SOURCE else base / PACKAGE


def apt_candidate(package: str):
    """apt's candidate version of `package`, or None (unknown package, or no candidate)."""
    r = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True)
    m = re.search(r"^\s*Candidate:\s*(\S+)", r.stdout, re.M)
    return m.group(1) if m and m.group(1) != "(none)" else None


def index_entry(package: str):
    """(suite, version, pool path, size, sha256) of `package` in Debian's binary-all index."""
    for suite in INDEX_SUITES:
        url = f"{DEBIAN_MIRROR}/dists/{suite}/main/binary-all/Packages.xz"
        log(f"looking {package} up in {url}")
        try:
            with urllib.request.urlopen(url, timeout=120) as r:
                text = lzma.decompress(r.read()).decode("utf-8", "replace")
        except OSError as e:
            log(f"cannot read {url}: {e}")
            continue
        for para in text.split("\n\n"):
            fields = dict(re.findall(r"^([\w-]+): (.*)$", para, re.M))
            if fields.get("Package") == package and "Filename" in fields:
                return (
                    suite,
                    fields.get("Version", "?"),
                    fields["Filename"],
                    int(fields.get("Size", "0")),
                    fields.get("SHA256"),
                )
    return None


def download(package: str, dl: Path) -> Path:
    """The package's .deb in `dl`: through apt when it has a candidate, else from the pool."""
    cand = apt_candidate(package)
    if cand:
        log(f"apt-get download {package} ({cand}, ~150 MB)")
        run(["apt-get", "download", "-q", package], cwd=dl)
        debs = sorted(dl.glob(f"{package}_*.deb"))
        if not debs:
            raise SystemExit(f"apt-get download {package} produced no .deb in {dl}")
        return debs[-1]
    entry = index_entry(package)
    if entry is None:
        raise SystemExit(
            f"{package}: apt has no candidate and Debian's index ({', '.join(INDEX_SUITES)}) has no such package"
        )
    suite, version, filename, size, sha256 = entry
    url = f"{DEBIAN_MIRROR}/{filename}"
    deb = dl / Path(filename).name
    part = Path(str(deb) + ".part")
    log(f"{package} {version} ({suite}): downloading {url} ({size / 1e6:.0f} MB)")
    h = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=600) as r, open(part, "wb") as f:
        while True:
            chunk = r.read(1 << 20)
            if not chunk:
                break
            h.update(chunk)
            f.write(chunk)
    if sha256 and h.hexdigest() != sha256:
        part.unlink()
        raise SystemExit(f"{url}: SHA256 {h.hexdigest()}, the index says {sha256}")
    os.rename(part, deb)
    return deb


def extract(deb: Path, src: Path, patterns: list) -> None:
    """Extracts the files matching `patterns` from the kernel source tarball inside `deb`
    into `src`: dpkg-deb --fsys-tarfile | tar -xO <the inner tarball> | xz -dc | tar -x."""
    p1 = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    p2 = subprocess.Popen(
        ["tar", "-xO", f"./usr/src/{PACKAGE}.tar.xz"], stdin=p1.stdout, stdout=subprocess.PIPE
    )
    p3 = subprocess.Popen(["xz", "-dc"], stdin=p2.stdout, stdout=subprocess.PIPE)
    p4 = subprocess.Popen(["tar", "-x", "-C", str(src), "--wildcards", *patterns], stdin=p3.stdout)
    for p in (p1, p2, p3):
        p.stdout.close()
    rcs = [p4.wait(), p3.wait(), p2.wait(), p1.wait()]
    if any(rcs):
        raise SystemExit(f"extraction failed (exit statuses {rcs})")


def fetch(cache: Path, patterns: list = None, what: str = None) -> Path:
    """The kernel tree's files matching `patterns` (default: the progs/ corpus's `EXTRACT`)
    extracted under `cache/src` from the source package, downloaded once; `what` names them
    in the log. Returns the tree's root."""
    patterns = EXTRACT if patterns is None else patterns
    what = what or f"{PROGS}/verifier_*.c and headers"
    src = cache / "src"
    done = src / ".extracted"
    # line 1: the .deb; line 2: what was extracted from it (another list extracts again)
    if done.exists() and done.read_text().splitlines()[1:2] == [" ".join(patterns)]:
        return src / SRC_PREFIX
    if src.exists():
        shutil.rmtree(src)
    dl = cache / "download"
    dl.mkdir(parents=True, exist_ok=True)
    for old in [*dl.glob("*.deb"), *dl.glob("*.deb.part")]:
        old.unlink()
    deb = download(PACKAGE, dl)
    src.mkdir(parents=True)
    log(f"extracting {what} from {deb.name}")
    extract(deb, src, patterns)
    deb.unlink()
    done.write_text(deb.name + "\n" + " ".join(patterns) + "\n")
    return src / SRC_PREFIX


def headers(cache: Path) -> Path:
    inc = cache / "include"
    inc.mkdir(parents=True, exist_ok=True)
    vmlinux = inc / "vmlinux.h"
    (inc / "kfuncs.h").write_text(
        "#include <vmlinux.h>\n#include <bpf/bpf_helpers.h>\n"
        "extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;\n"
        "extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;\n"
        "extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;\n"
        # LLVM 21's trap kfunc, which clang-19 does not declare (the running kernel's BTF has it)
        "extern void __bpf_trap(void) __ksym;\n"
    )
    if vmlinux.exists():
        return inc
    (inc / "gnu").mkdir(parents=True, exist_ok=True)
    # <gnu/stubs.h> asks for the 32-bit variant on the bpf target; nothing in it is needed.
    (inc / "gnu" / "stubs-32.h").write_text("")
    if not (inc / "bpf").exists():
        # libbpf's bpf_helpers.h needs the generated bpf_helper_defs.h: take the installed libbpf.
        (inc / "bpf").symlink_to("/usr/include/bpf")
    log("vmlinux.h from /sys/kernel/btf/vmlinux")
    with open(str(vmlinux) + ".tmp", "w") as f:
        run(["bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c"], stdout=f)
    os.rename(str(vmlinux) + ".tmp", vmlinux)
    return inc


def tree_headers(cache: Path, src_root: Path) -> Path:
    """An include directory whose `bpf/` is the source tree's own libbpf headers (plus the
    installed, generated bpf_helper_defs.h, which the tree does not hold): the last compile
    attempt, for files the installed libbpf is too old for."""
    inc = cache / "include-tree"
    bpf = inc / "bpf"
    if bpf.exists():
        shutil.rmtree(bpf)
    bpf.mkdir(parents=True)
    for h in sorted((src_root / "tools/lib/bpf").glob("*.h")):
        (bpf / h.name).symlink_to(h)
    defs = Path("/usr/include/bpf/bpf_helper_defs.h")
    if not (bpf / defs.name).exists() and defs.exists():
        (bpf / defs.name).symlink_to(defs)
    return inc
