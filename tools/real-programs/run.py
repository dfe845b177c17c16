#!/usr/bin/env python3
"""Real clang-compiled XDP / tc / socket-filter programs: our verdict against the kernel's.

Reads `programs.list` (repos at pinned commits, clang flags, objects), and for each object:

1. fetch: `git fetch --depth 1 URL COMMIT` into the cache (once per commit). URL is
   `https://github.com/OWNER/REPO` unless $REAL_PROGRAMS_GIT_URL gives a template with
   `{owner}` and `{repo}` (a local mirror of bare clones, when github.com is not reachable).
   A `deb` line instead names a Debian kernel source package at one version (`apt-get
   download`, only the listed directories of its tree extracted, the .deb deleted).
2. compile: `clang-19 -target bpf -O2 -g -c` with the object's flags (then a compiler
   variant's: $REAL_PROGRAMS_CLANG, $REAL_PROGRAMS_CFLAGS), the system's libbpf and
   linux-libc-dev headers, and an empty `gnu/stubs-32.h` (glibc's headers ask for it on a
   non-x86_64 target); `{vmlinux}` in the flags is a directory with the running kernel's
   `vmlinux.h` (`bpftool btf dump`).
3. entry points: every global function in an executable section other than `.text`
   (`llvm-objdump-19 -t`). Sections of other program types (kprobe, tp_btf, iter, ...) are
   listed as not XDP/tc; a section whose name gives no type gets the object's TYPE.
4. the kernel's verdict: `kload OBJ FUNCTION TYPE` (libbpf loads only that program, and the
   programs its object's prog-array slots name, `.values = { [i] = &prog }`: libbpf fills
   them after the load; its maps created, nothing pinned); for an object libbpf cannot open (legacy `maps` section) our
   own loader, `ebpf-dsl load OBJ --section FUNCTION`.
5. ours: `ebpf-dsl check OBJ --section FUNCTION --type TYPE --kernel MAJOR.MINOR
   --unavailable-helpers running --possible-cpus running --btf
   /sys/kernel/btf/vmlinux --kconfig CONFIG` (the ELF reader, resolving CO-RE relocations
   against the running kernel's BTF and `__kconfig` externs from CONFIG, its configuration
   from /boot/config-RELEASE or /proc/config.gz, + the static verifier, told the running
   kernel's version and this machine's possible CPUs).

Writes `summary.md` and `programs.csv` into the results directory. The fetched sources and the
objects stay in the cache (GPL code is never committed). Exit status 1 on a false accept.
"""

import csv
import gzip
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Also when loaded as a module from elsewhere (bench/verify_real.py): its sibling modules.
sys.path.insert(0, str(HERE))
import inline_data  # noqa: E402

LIST = HERE / "programs.list"
PACKET_TYPES = {"xdp", "sched_cls", "sched_act", "socket_filter"}
# The running kernel's BTF: CO-RE field offsets are resolved against it (`check --btf`).
VMLINUX_BTF = "/sys/kernel/btf/vmlinux"
# libbpf's section names of the program types this corpus is about (`xdp`, `tc`, ...).
KNOWN = [
    ("xdp.frags", "xdp"),
    ("xdp", "xdp"),
    ("tcx", "sched_cls"),
    ("tc", "sched_cls"),
    ("classifier", "sched_cls"),
    ("action", "sched_act"),
    ("socket", "socket_filter"),
    # goebpf's loader (dropbox/goebpf) names its tc programs by their kind.
    ("tc_cls", "sched_cls"),
    ("tc_act", "sched_act"),
]
# libbpf's section prefixes of the other program types (not XDP/tc/socket: skipped).
OTHER = re.compile(
    r"^(kprobe|kretprobe|uprobe|uretprobe|usdt|ksyscall|kretsyscall|tracepoint|tp|raw_tp|"
    r"raw_tracepoint|tp_btf|fentry|fexit|fmod_ret|freplace|lsm|lsm_cgroup|iter|struct_ops|"
    r"syscall|sk_lookup|sk_skb|sk_msg|sk_reuseport|sockops|lwt_\w+|perf_event|"
    r"flow_dissector|netfilter|cgroup\w*)(\.\w+)?(/|$)"
)


def section_type(section, fallback):
    """The program type libbpf gives section `section` (None: another kind of program); a
    leading `?` (libbpf: not loaded by default) is not part of the type. `fallback` is an
    `obj` line's TYPE: the type of a section whose name gives none, then optionally
    `,SECTION=TYPE` pairs for sections of such names that the project's loader loads as
    another type (bmc-cache's XDP and tc programs in one object)."""
    fallback, *named = fallback.split(",")
    for pair in named:
        name, _, t = pair.partition("=")
        if name == section:
            return t
    section = section[1:] if section.startswith("?") else section
    head = section.split("/")[0]
    for name, t in KNOWN:
        if head == name:
            return t
    if OTHER.match(section):
        return None
    return fallback


# `inline REPO SECTION` lines: the objects of REPO get SECTION's variables as immediates
# (`inline_data.py`), as that project's loader does.
INLINE = {}
# `constant REPO SYMBOL VALUE` lines: the objects of REPO get every `ld_imm64` of the undefined
# SYMBOL made an `ld_imm64` of VALUE (`inline_data.constant`), as that project's loader does.
CONSTANTS = {}


# `submodule REPO PATH NAME[/SUBDIR]` lines: REPO's git submodule at PATH is the checkout of
# NAME (or its directory SUBDIR: the headers a project's script copies out of a release).
SUBMODULES = []


def read_list():
    repos, flags, objs = {}, {}, []
    for n, line in enumerate(LIST.read_text().splitlines(), 1):
        f = line.split("#")[0].split()
        if not f:
            continue
        if f[0] == "repo" and len(f) >= 4:
            repos[f[1]] = ("git", f[2], f[3], f[4:])
        elif f[0] == "deb" and len(f) >= 5:
            repos[f[1]] = ("deb", f[2], f[3], f[4:])
        elif f[0] == "inline" and len(f) == 3:
            INLINE.setdefault(f[1], []).append(f[2])
        elif f[0] == "constant" and len(f) == 4:
            CONSTANTS.setdefault(f[1], []).append((f[2], int(f[3], 0)))
        elif f[0] == "submodule" and len(f) == 4:
            SUBMODULES.append((f[1], f[2], f[3]))
        elif f[0] == "flags" and len(f) >= 2:
            flags[f[1]] = f[2:]
        elif f[0] == "obj" and len(f) >= 6:
            objs.append({"id": f[1], "repo": f[2], "path": f[3], "type": f[4],
                         "flags": f[5], "extra": f[6:]})
        else:
            sys.exit(f"{LIST}:{n}: cannot read `{line}`")
    return repos, flags, objs


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", **kw)


def fetch_deb(cache, name, package, version, paths):
    """A Debian kernel source package (`linux-source-X.Y`, which ships the tree as
    `/usr/src/PACKAGE.tar.xz`) at one version: `apt-get download PACKAGE=VERSION` into the
    cache (or the .deb already there), only `paths` of the tree extracted into src/NAME, the
    .deb deleted. (dest, None) or (None, why)."""
    dest = cache / "src" / name
    stamp = dest / ".fetched-deb"
    want = f"{package}={version}"
    if stamp.exists() and stamp.read_text().strip() == want:
        return dest, None
    dl = cache / "download"
    dl.mkdir(parents=True, exist_ok=True)
    deb = dl / f"{package}_{version}_all.deb"
    if not deb.exists():
        r = run(["apt-get", "download", "-q", want], cwd=dl)
        if r.returncode != 0 or not deb.exists():
            why = (r.stderr.strip().splitlines() or ["failed"])[-1]
            return None, f"`apt-get download {want}`: {why}"
    if dest.exists():
        subprocess.run(["rm", "-rf", str(dest)], check=True)
    dest.mkdir(parents=True)
    # dpkg-deb --fsys-tarfile | tar -xO <the inner tarball> | xz -dc | tar -x <paths>
    p1 = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    p2 = subprocess.Popen(["tar", "-xO", f"./usr/src/{package}.tar.xz"], stdin=p1.stdout,
                          stdout=subprocess.PIPE)
    p3 = subprocess.Popen(["xz", "-dc"], stdin=p2.stdout, stdout=subprocess.PIPE)
    p4 = subprocess.Popen(["tar", "-x", "-C", str(dest), "--strip-components=1",
                           *[f"{package}/{p}" for p in paths]], stdin=p3.stdout)
    for p in (p1, p2, p3):
        p.stdout.close()
    rcs = [p4.wait(), p3.wait(), p2.wait(), p1.wait()]
    if any(rcs):
        return None, f"extracting {deb.name} failed (exit statuses {rcs})"
    deb.unlink()
    stamp.write_text(want + "\n")
    return dest, None


def sparse_pattern(path):
    """The sparse-checkout pattern of a `repo` line's DIR: that directory (`.`: the whole
    tree), or with a leading `!` that file or directory left out (one the mirror does not
    hold: a partial clone fetches the blobs it checks out)."""
    if path.startswith("!"):
        return f"!/{path[1:].strip('/')}"
    if path == ".":
        return "/*"
    return f"/{path.strip('/')}/"


def fetch(cache, name, slug, commit, paths=()):
    """One repository at its pinned commit into the cache; with `paths`, only those
    directories of its tree (a sparse checkout of a partial clone: no other file's content is
    fetched, for a large repository such as cilium's)."""
    dest = cache / "src" / name
    stamp = dest / ".fetched-commit"
    want = " ".join([commit, *paths])
    if stamp.exists() and stamp.read_text().strip() == want:
        return dest, None
    # Another commit or other directories: a fresh checkout (a sparse checkout of a partial
    # clone widened in place would need blobs its shallow history cannot fetch).
    if dest.exists():
        subprocess.run(["rm", "-rf", str(dest)], check=True)
    owner, repo = slug.split("/")
    url = os.environ.get("REAL_PROGRAMS_GIT_URL", "https://github.com/{owner}/{repo}")
    url = url.format(owner=owner, repo=repo)
    dest.mkdir(parents=True, exist_ok=True)
    steps = [["git", "init", "-q"]]
    if paths:
        # A local mirror's upload-pack serves a filter only when told it may.
        steps += [["git", "remote", "remove", "origin"],
                  ["git", "remote", "add", "origin", url],
                  ["git", "config", "remote.origin.uploadpack",
                   "git -c uploadpack.allowfilter=true upload-pack"],
                  ["git", "sparse-checkout", "set", "--no-cone",
                   *[sparse_pattern(p) for p in paths]],
                  ["git", "fetch", "-q", "--depth", "1", "--filter=blob:none", "origin",
                   commit]]
    else:
        steps += [["git", "fetch", "-q", "--depth", "1", url, commit]]
    steps += [["git", "checkout", "-q", "--force", "FETCH_HEAD"]]
    for cmd in steps:
        if cmd[1:3] == ["remote", "remove"]:
            run(cmd, cwd=dest)  # absent on a first fetch
            continue
        r = run(cmd, cwd=dest)
        if r.returncode != 0:
            why = (r.stderr.strip().splitlines() or ["failed"])[-1]
            return None, (f"`{' '.join(cmd)}`: {why} (without github.com, give a mirror: "
                          "REAL_PROGRAMS_GIT_URL='/path/{owner}/{repo}.git')")
    stamp.write_text(want + "\n")
    return dest, None


def source_path(o, srcdirs):
    """The file an `obj` line compiles: PATH in its repository's checkout, or with a leading
    `@`, a file of ours under tools/real-programs (a wrapper that includes the project's
    source, its flags giving that source's directory)."""
    if o["path"].startswith("@"):
        return HERE / o["path"][1:]
    return srcdirs[o["repo"]] / o["path"]


# A compiler variant (`REAL_PROGRAMS_CLANG=clang-16`, `REAL_PROGRAMS_CFLAGS='-mcpu=v4 -O1'`):
# the clang binary, and flags given after each object's own (clang takes the last `-mcpu=` and
# `-O`, so they override the project's). run.sh then puts the objects and the results of such
# a run apart from the main ones (REAL_PROGRAMS_OBJ, REAL_PROGRAMS_RESULTS).
CLANG = os.environ.get("REAL_PROGRAMS_CLANG") or "clang-19"
VARIANT_CFLAGS = shlex.split(os.environ.get("REAL_PROGRAMS_CFLAGS", ""))


def obj_dir(cache):
    """Where the compiled objects go: $REAL_PROGRAMS_OBJ (a compiler variant's own
    directory, set by run.sh), else the cache's `obj/`."""
    return Path(os.environ.get("REAL_PROGRAMS_OBJ") or cache / "obj")


def compiler_text():
    """The compiler and flags the summary names: `clang-19 -O2 -g`, and a variant's."""
    return " ".join([CLANG, "-O2 -g", *(["(project flags) then"] + VARIANT_CFLAGS
                                         if VARIANT_CFLAGS else [])])


def compile_obj(cache, o, srcdirs, flags):
    out = obj_dir(cache) / (o["id"].replace("/", "__") + ".o")
    out.parent.mkdir(parents=True, exist_ok=True)
    args = [a.format(**{k: str(v) for k, v in srcdirs.items()}) for a in flags[o["flags"]]]
    arch = run(["uname", "-m"]).stdout.strip()
    cmd = [CLANG, "-target", "bpf", "-O2", "-g", "-c", "-D__TARGET_ARCH_x86",
           "-Wno-unused-value", "-Wno-pointer-sign", "-Wno-compare-distinct-pointer-types",
           *args, *o["extra"], *VARIANT_CFLAGS, f"-I/usr/include/{arch}-linux-gnu",
           f"-I{cache / 'shim'}", "-o", str(out), str(source_path(o, srcdirs))]
    r = run(cmd)
    if r.returncode != 0:
        err = [ln for ln in r.stderr.splitlines() if "error" in ln]
        return None, (err or r.stderr.splitlines() or ["clang failed"])[0]
    for section in INLINE.get(o["repo"], []):
        try:
            inline_data.inline(out, section)
        except ValueError as e:
            return None, f"inlining {section} as the project's loader does: {e}"
    for symbol, value in CONSTANTS.get(o["repo"], []):
        try:
            inline_data.constant(out, symbol, value)
        except ValueError as e:
            return None, f"setting {symbol} as the project's loader does: {e}"
    return out, None


def entry_points(obj):
    """(section, function) of every global function outside .text, in file order."""
    r = run(["llvm-objdump-19", "-t", str(obj)])
    out = []
    for ln in r.stdout.splitlines():
        m = re.match(r"^[0-9a-f]+ (.{7}) (\S+)\s+[0-9a-f]+ (\S+)$", ln)
        if m and m.group(1)[0] == "g" and "F" in m.group(1) and m.group(2) != ".text":
            out.append((m.group(2), m.group(3)))
    return out


def first_line(text):
    for ln in text.splitlines():
        if ln.strip():
            return ln.strip()
    return ""


# `REAL_PROGRAMS_STRICT_ALIGNMENT=1`: both sides load / verify every entry point with
# BPF_F_STRICT_ALIGNMENT (a differential test of the strict rules; point
# REAL_PROGRAMS_RESULTS elsewhere for such a run).
STRICT = os.environ.get("REAL_PROGRAMS_STRICT_ALIGNMENT") == "1"


# STATE_COMPARE_OUT=DIR: each entry point's kernel level-2 log (NAME.klog, through kload's
# KLOAD_LOG2) and our states (NAME.ours, `check --dump-states`) for tools/state-compare/.
STATE_OUT = os.environ.get("STATE_COMPARE_OUT")
STATE_NAME = [""]


def state_file(ext):
    """Where the current entry point's `ext` file goes (None without STATE_COMPARE_OUT)."""
    if not STATE_OUT:
        return None
    return str(Path(STATE_OUT) / f"{re.sub(r'[^A-Za-z0-9_]', '_', STATE_NAME[0])}.{ext}")


def compare_verdicts(kernel, ours):
    """The outcome of one comparison, from the kernel's and our verdict ("accept", "reject",
    "error", or ours "not expressible"): what every table of this tool and its companions
    (mutants.py, tools/kernel-vm/real_programs.py) counts."""
    if ours == "not expressible":
        return "not expressible"
    if "error" in (kernel, ours):
        return "error"
    if kernel == ours:
        return "agree"
    return "false reject" if kernel == "accept" else "FALSE ACCEPT"


def kernel_verdict(kload, cli, obj, func, ptype):
    env = dict(os.environ, KLOAD_PROG_FLAGS="1") if STRICT else None
    if state_file("klog"):
        env = dict(env or os.environ, KLOAD_LOG2=state_file("klog"))
    r = run([str(kload), str(obj), func, ptype], timeout=600, env=env)
    line = first_line(r.stdout)
    if line.startswith("error libbpf cannot open"):
        # libbpf 1.x refuses legacy `maps` sections: our own loader then.
        r = run([str(cli), "load", str(obj), "--section", func, "--type", ptype, "--log",
                 *(["--strict-alignment"] if STRICT else [])], timeout=600)
        text = r.stdout + r.stderr
        if r.returncode == 0:
            # As kload prints it: the processed count and the kernel's verification time
            # (the log's BPF_LOG_STATS lines).
            n = re.search(r"^processed (\d+) insns", text, re.M)
            us = re.search(r"^verification time (\d+) usec", text, re.M)
            return "accept", f"{n.group(1) if n else ''} {us.group(1) if us else ''}", \
                "ebpf-dsl load"
        # The kernel's last log line, not the statistics nor our CLI's closing line
        # ("ebpf-dsl: the verifier rejected program `F`: EINVAL"), which names only the errno.
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith(
            ("processed", "verification time", "stack depth"))]
        log = [ln for ln in lines
               if not ln.startswith("ebpf-dsl: the verifier rejected program")] or lines
        return ("reject" if "verifier" in text else "error"), (log[-1] if log else ""), \
            "ebpf-dsl load"
    verdict, _, rest = line.partition(" ")
    if verdict not in ("accept", "reject"):
        return "error", rest or r.stderr.strip()[:200], "libbpf"
    return verdict, rest, "libbpf"


def running_kernel():
    """The running kernel's MAJOR.MINOR: the verifier targets what it has. Debian's ABI names
    (`6.1.0-57-amd64`) give the release `uname -v` names (`Debian 6.1.192-3`): 6.1.192, with
    that stable line's backports up to it."""
    u = os.uname()
    m = re.match(r"(\d+)\.(\d+)", u.release)
    if not m:
        return "6.6"
    d = re.search(r"\bDebian (\d+)\.(\d+)\.(\d+)", u.version)
    if d and d.group(1, 2) == m.group(1, 2) and re.match(r"\d+\.\d+\.0-", u.release):
        return ".".join(d.group(1, 2, 3))
    return f"{m.group(1)}.{m.group(2)}"


def running_kconfig(cache):
    """The running kernel's configuration as text, where libbpf reads it for `__kconfig`
    externs (/boot/config-RELEASE, else /proc/config.gz), written to the cache for `check
    --kconfig`; None when the kernel has neither."""
    out = cache / "kconfig"
    boot = Path(f"/boot/config-{os.uname().release}")
    try:
        if boot.exists():
            text = boot.read_bytes()
        else:
            text = gzip.decompress(Path("/proc/config.gz").read_bytes())
    except OSError:
        return None
    out.write_bytes(text)
    return out


KCONFIG = []


def our_verdict(cli, obj, func, ptype):
    t0 = time.monotonic()
    r = run([str(cli), "check", str(obj), "--section", func, "--type", ptype,
             "--kernel", running_kernel(), "--unavailable-helpers", "running",
             "--possible-cpus", "running", "--btf", VMLINUX_BTF, *KCONFIG,
             *(["--strict-alignment"] if STRICT else []),
             *(["--dump-states", state_file("ours")] if state_file("ours") else [])],
            timeout=600)
    dt = time.monotonic() - t0
    if r.returncode == 0:
        return "accept", "", dt
    err = first_line(r.stderr)
    if "not a valid eBPF ELF object" in err:
        return "not expressible", err.split("not a valid eBPF ELF object: ", 1)[-1], dt
    # one entry point of an object the reader could not express (a kfunc the kernel has that
    # we do not model); the object's other entry points are checked
    if " cannot be read: " in err:
        return "not expressible", err.split(" cannot be read: ", 1)[-1], dt
    if r.returncode != 1:
        return "error", err, dt
    return "reject", err.split("): error: ", 1)[-1], dt


def needed_repos(repos, flags, objs):
    """The sources `objs` compile from: each object's repository, those its flags name as
    `{NAME}`, and the checkouts linked in as their submodules (transitively)."""
    need = set()
    for o in objs:
        need.add(o["repo"])
        for arg in flags.get(o["flags"], []) + o["extra"]:
            need.update(n for n in repos if "{" + n + "}" in arg)
    grown = True
    while grown:
        more = {n.split("/")[0] for r, _, n in SUBMODULES if r in need} - need
        grown = bool(more)
        need |= more
    return need


def fetch_all(cache, repos, srcdirs, fetch_err, need=None):
    """Every source of the list (`repo` lines from git, `deb` lines from Debian), or only
    those in `need`, into the cache: its directory into `srcdirs`, or why it could not be
    fetched into `fetch_err`."""
    for name, (kind, slug, commit, paths) in repos.items():
        if need is not None and name not in need:
            continue
        if kind == "deb":
            d, e = fetch_deb(cache, name, slug, commit, paths)
        else:
            d, e = fetch(cache, name, slug, commit, paths)
        if d:
            srcdirs[name] = d
        else:
            fetch_err[name] = e
            print(f"fetch {name}: {e}", file=sys.stderr)
    for repo, path, name in SUBMODULES:
        link_submodule(srcdirs, repo, path, name)


def link_submodule(srcdirs, repo, path, name):
    """REPO's submodule at PATH (the empty directory a checkout leaves for it) made a link to
    NAME's checkout, pinned on its own `repo` line at the commit REPO's tree records, as
    `git submodule update` would check it out there; `NAME/SUBDIR`: to that directory of it
    (a project whose script copies a release's headers to PATH)."""
    name, _, subdir = name.partition("/")
    if repo not in srcdirs or name not in srcdirs:
        return
    target = (srcdirs[name] / subdir).resolve()
    at = srcdirs[repo] / path
    if at.is_symlink() and at.resolve() == target:
        return
    if at.is_dir() and not at.is_symlink() and any(at.iterdir()):
        # A directory holding files of its own (the script that fetches the headers, its
        # .gitignore): a link to each entry of the target it lacks.
        for entry in target.iterdir():
            if not (at / entry.name).exists() and not (at / entry.name).is_symlink():
                (at / entry.name).symlink_to(entry)
        return
    if at.is_dir() and not any(at.iterdir()):
        at.rmdir()
    if not at.exists() and not at.is_symlink():
        at.parent.mkdir(parents=True, exist_ok=True)
        at.symlink_to(target)


def main():
    cache = Path(os.environ["REAL_PROGRAMS_CACHE"])
    results = Path(os.environ["REAL_PROGRAMS_RESULTS"])
    cli, kload = Path(os.environ["EBPF_DSL"]), Path(os.environ["KLOAD"])
    # Comma-separated substrings: the objects whose id has any of them.
    only = [w for w in os.environ.get("REAL_PROGRAMS_ONLY", "").split(",") if w]
    (cache / "shim" / "gnu").mkdir(parents=True, exist_ok=True)
    (cache / "shim" / "gnu" / "stubs-32.h").write_text("")
    repos, flags, objs = read_list()
    kconfig = running_kconfig(cache)
    if kconfig:
        KCONFIG.extend(["--kconfig", str(kconfig)])
    # {vmlinux}: the running kernel's vmlinux.h; {wrappers}: our headers and wrappers.
    srcdirs, fetch_err = {"vmlinux": cache / "vmlinux", "wrappers": HERE / "wrappers"}, {}
    vmlinux = cache / "vmlinux" / "vmlinux.h"
    if not vmlinux.exists():
        vmlinux.parent.mkdir(parents=True, exist_ok=True)
        r = run(["bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c"])
        vmlinux.write_text(r.stdout)
    # A subset (REAL_PROGRAMS_ONLY) fetches only the sources its objects compile from.
    chosen = [o for o in objs if not only or any(w in o["id"] for w in only)]
    need = needed_repos(repos, flags, chosen) if only else None
    fetch_all(cache, repos, srcdirs, fetch_err, need)
    if need is not None and need and not need - fetch_err.keys():
        print("no repository could be fetched: the results are left as they were",
              file=sys.stderr)
        return 2
    if need is None and not fetch_err.keys() ^ repos.keys():
        print("no repository could be fetched: the results are left as they were",
              file=sys.stderr)
        return 2
    rows = []
    for o in objs:
        if only and not any(w in o["id"] for w in only):
            continue
        base = {"object": o["id"], "source": f"{repos[o['repo']][1]}/{o['path']}"}
        if o["repo"] in fetch_err:
            rows.append({**base, "outcome": "not fetched", "note": fetch_err[o["repo"]]})
            continue
        obj, err = compile_obj(cache, o, srcdirs, flags)
        if not obj:
            rows.append({**base, "outcome": "compile failed", "note": err})
            continue
        for section, func in entry_points(obj):
            ptype = section_type(section, o["type"])
            row = {**base, "section": section, "function": func, "type": ptype or ""}
            if ptype not in PACKET_TYPES:
                rows.append({**row, "outcome": "not XDP/tc"})
                continue
            STATE_NAME[0] = f"{o['id']}__{func}"
            kv, klog, ksrc = kernel_verdict(kload, cli, obj, func, ptype)
            ov, omsg, dt = our_verdict(cli, obj, func, ptype)
            outcome = compare_verdicts(kv, ov)
            processed, _, kusec = klog.partition(" ") if kv == "accept" else ("", "", "")
            note = omsg if outcome != "agree" or kv == "reject" else ""
            rows.append({**row, "kernel": kv, "ours": ov, "outcome": outcome,
                         "kernel_processed": processed, "kernel_us": kusec,
                         "kernel_log": klog if kv != "accept" else "",
                         "kernel_via": ksrc, "our_seconds": f"{dt:.2f}", "note": note})
            print(f"{o['id']} {section} {func}: kernel {kv}, ours {ov}: {outcome}",
                  file=sys.stderr)
    if only and os.environ.get("REAL_PROGRAMS_MERGE") == "1":
        rows = merged(results / "programs.csv", rows, objs, only)
    write(results, rows, objs, repos)
    return 1 if any(r["outcome"] == "FALSE ACCEPT" for r in rows) else 0


def merged(csv_path, rows, objs, only):
    """REAL_PROGRAMS_MERGE=1 with a subset: the rows of an earlier whole run (`csv_path`)
    with those of the subset's objects replaced by this run's, in programs.list order, so that
    re-checking a few objects after a change keeps one complete table (and summary)."""
    with open(csv_path, newline="") as f:
        old = list(csv.DictReader(f))
    by_obj = {}
    for r in old:
        by_obj.setdefault(r["object"], []).append(r)
    new = {}
    for r in rows:
        new.setdefault(r["object"], []).append(r)
    out = []
    for o in objs:
        chosen = any(w in o["id"] for w in only)
        out.extend(new.get(o["id"], []) if chosen else by_obj.get(o["id"], []))
    return out


COLUMNS = ["object", "section", "function", "type", "kernel", "ours", "outcome",
           "kernel_processed", "kernel_us", "our_seconds", "kernel_via", "kernel_log", "note", "source"]


def write(results, rows, objs, repos):
    results.mkdir(parents=True, exist_ok=True)
    with open(results / "programs.csv", "w", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    entries = [r for r in rows if r.get("kernel")]
    count = {k: sum(1 for r in entries if r["outcome"] == k)
             for k in ("agree", "false reject", "FALSE ACCEPT", "not expressible", "error")}
    judged = len(entries) - count["not expressible"] - count["error"]
    compiled = len({r["object"] for r in rows if r["outcome"] not in
                    ("compile failed", "not fetched")})
    other = sum(1 for r in rows if r["outcome"] == "not XDP/tc")
    kacc = sum(1 for r in entries if r["kernel"] == "accept")
    md = ["# Real XDP / tc / socket-filter programs: our verdict against the kernel's", "",
          f"Written by `tools/real-programs/run.sh` (do not edit). Kernel: "
          f"`{os.uname().release}`. {len(objs)} objects from "
          + ", ".join(f"{n} (`{s}` @ `{c[:12]}`)" for n, (_, s, c, _) in repos.items())
          + f", compiled with {compiler_text()}; ground truth: the running kernel "
          "(libbpf loads one program at a time, its maps created); ours: `ebpf-dsl check "
          f"--kernel {running_kernel()} --unavailable-helpers running --possible-cpus running --btf {VMLINUX_BTF} --kconfig CONFIG` (CONFIG: the running "
          "kernel's configuration). "
          "Agreement = agree / (entry points - not expressible - errors).", "",
          "## Totals", "",
          "| objects compiled | XDP/tc/socket entry points | kernel accepts | agree "
          "| false accepts | false rejects | not expressible | errors | agreement |",
          "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
          f"| {compiled}/{len(objs)} | {len(entries)} | {kacc} | {count['agree']} "
          f"| {count['FALSE ACCEPT']} | {count['false reject']} | {count['not expressible']} "
          f"| {count['error']} | "
          + (f"{100.0 * count['agree'] / judged:.1f}%" if judged else "—") + " |", "",
          f"Entry points of other program types (tracing, iterators, kprobes; not counted): "
          f"{other}.", ""]
    failed = [r for r in rows if r["outcome"] in ("compile failed", "not fetched")]
    if failed:
        md += ["Objects not compiled:", ""]
        md += [f"- `{r['object']}`: {r['outcome']}: {r['note']}" for r in failed]
        md.append("")
    for title, kind in (("False accepts", "FALSE ACCEPT"), ("False rejects", "false reject"),
                        ("Not expressible (our ELF reader refuses)", "not expressible"),
                        ("Errors (no verdict)", "error")):
        sel = [r for r in entries if r["outcome"] == kind]
        md += [f"## {title}: {len(sel)}", ""]
        if sel:
            md += ["| object | section | function | kernel | ours (first line) |",
                   "|---|---|---|---|---|"]
            md += [f"| {r['object']} | {r['section']} | {r['function']} | "
                   f"{r['kernel']}{' ' + r['kernel_log'] if r['kernel_log'] else ''} | "
                   f"{esc(r['note'])} |" for r in sel]
            md.append("")
    md += ["## Every entry point", "",
           "| object | section | function | type | kernel | ours | outcome "
           "| kernel processed insns | kernel verification (us) | our check (s, debug build) |",
           "|---|---|---|---|---|---|---|---:|---:|---:|"]
    md += [f"| {r['object']} | {r['section']} | {r['function']} | {r['type']} | "
           f"{r['kernel']} | {r['ours']} | {r['outcome']} | {r['kernel_processed']} | "
           f"{r.get('kernel_us', '')} | {r['our_seconds']} |" for r in entries]
    md.append("")
    (results / "summary.md").write_text("\n".join(md))
    print(f"{len(entries)} entry points: {count['agree']} agree, {count['FALSE ACCEPT']} "
          f"false accepts, {count['false reject']} false rejects, "
          f"{count['not expressible']} not expressible, {count['error']} errors")


def esc(s):
    return (s or "").replace("|", "\\|")[:300]


if __name__ == "__main__":
    sys.exit(main())
