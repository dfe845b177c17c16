#!/usr/bin/env bash
# Runs a command as root on another kernel: one of Debian's stock kernel images, booted in
# QEMU/KVM with this machine's root filesystem as its root (read-only, under a throw-away
# in-memory overlay) and one writable directory for results. Exits with the command's status.
#
#   tools/kernel-vm/run.sh linux-image-6.1.0-57-amd64 -- CMD [ARG...]
#   KERNEL_VM_OUT=/tmp/out tools/kernel-vm/run.sh linux-image-6.12.118+deb12-amd64 -- \
#       sh -c 'cd /work/wt/x && cargo test --release -p workspace-tests --test verifier_kernel_rules'
#
# The image package is fetched with `apt-get download` (once) and extracted into the cache
# ($KERNEL_VM_CACHE, default target/kernel-vm/cache/: kernels are GPL, never committed). The
# guest's init (busybox, from busybox-static) loads that kernel's virtio/9p/overlay modules,
# mounts the host's / over virtio-9p read-only with a tmpfs overlay on top (so cargo, python
# and the tests may write anywhere; everything but the results directory is discarded at power
# off), mounts proc, sysfs, devtmpfs, bpffs, debugfs and tracefs of the guest kernel, and runs
# CMD chrooted there in the current directory, as root, with CI=true and this shell's PATH and
# HOME. The results directory ($KERNEL_VM_OUT, default target/kernel-vm/out/PACKAGE/) is
# shared writable over 9p at the same path: the command's output goes to its log.txt (and to
# this terminal when it ends), its exit status to exit-code.
#
# Environment: KERNEL_VM_TIMEOUT (seconds, default 3600: the guest is killed and this script
# exits 124), KERNEL_VM_MEM (default 6G), KERNEL_VM_CPUS (default 2), KERNEL_VM_ENV (extra
# NAME=VALUE words given to the command), KERNEL_VM_CONSOLE=1 (the guest's console on this
# terminal instead of console.txt), KERNEL_VM_MODULES (the package's modules loaded at boot
# besides virtio/9p/overlay, default "veth dummy tun sch_ingress cls_bpf act_bpf": the guest
# has no modprobe for them, its /lib/modules is the host's). No network device: the guest cannot reach anything.
# Needs root, /dev/kvm, qemu-system-x86 and busybox-static (apt-get install), dpkg-deb, xz.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

usage() { echo "usage: $0 linux-image-PACKAGE -- CMD [ARG...]" >&2; exit 2; }
[ $# -ge 3 ] && [ "$2" = -- ] || usage
pkg="$1"
shift 2
case "$pkg" in linux-image-*) ;; *) usage ;; esac

cache="${KERNEL_VM_CACHE:-$repo/target/kernel-vm/cache}"
out="${KERNEL_VM_OUT:-$repo/target/kernel-vm/out/$pkg}"
timeout_s="${KERNEL_VM_TIMEOUT:-3600}"
mem="${KERNEL_VM_MEM:-6G}"
cpus="${KERNEL_VM_CPUS:-2}"

die() { echo "kernel-vm: $*" >&2; exit 125; }
# KVM, unless it is the nested PVM of some sandboxes (kvm_pvm), where these kernels boot 50-100x
# slower than in TCG (README.md): there, and when asked (KERNEL_VM_ACCEL=tcg), QEMU's own
# multi-threaded emulation.
accel="${KERNEL_VM_ACCEL:-}"
if [ -z "$accel" ]; then
    if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then accel=kvm; else accel=tcg; fi
fi
case "$accel" in
    kvm) [ -w /dev/kvm ] || die "/dev/kvm is missing or not writable"
         accel_args=(-enable-kvm -cpu host) ;;
    tcg) accel_args=(-accel tcg,thread=multi -cpu max) ;;
    *) die "KERNEL_VM_ACCEL is kvm or tcg, not $accel" ;;
esac
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: apt-get install qemu-system-x86"
busybox=/bin/busybox
[ -x "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
    die "a static /bin/busybox is needed: apt-get install busybox-static"

# 1. The kernel: vmlinuz and modules of the package, extracted once.
mkdir -p "$cache" "$out"
kdir="$cache/$pkg"
if [ ! -d "$kdir/boot" ]; then
    deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
    if [ -z "$deb" ]; then
        (cd "$cache" && apt-get download "$pkg") || die "apt-get download $pkg failed"
        deb=$(ls "$cache/${pkg}_"*.deb | head -n1)
    fi
    rm -rf "$kdir.tmp"
    dpkg-deb -x "$deb" "$kdir.tmp"
    mv "$kdir.tmp" "$kdir"
fi
vmlinuz=$(ls "$kdir"/boot/vmlinuz-* | head -n1)
release="${vmlinuz##*/vmlinuz-}"
moddir="$kdir/lib/modules/$release"
[ -d "$moddir/kernel" ] || die "no modules in $moddir"

# 2. The initramfs: busybox, the modules needed for virtio-9p and overlayfs (and
# $KERNEL_VM_MODULES) with their
# dependencies in load order (decompressed, so that busybox's insmod takes them), the init
# script.
work=$(mktemp -d "${TMPDIR:-/tmp}/kernel-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/initramfs"
mkdir -p "$root"/{bin,dev,proc,sys,mods,lower,upper,host}
cp "$busybox" "$root/bin/busybox"
python3 - "$moddir" "$root/mods" ${KERNEL_VM_MODULES-veth dummy tun sch_ingress cls_bpf act_bpf} <<'EOF'
import gzip, lzma, os, sys
moddir, dest, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
# Debian's image packages ship no modules.dep (depmod runs at installation): each module's
# dependencies are read from its own .modinfo strings ("depends=a,b").
files = {}
for d, _, names in os.walk(os.path.join(moddir, "kernel")):
    for n in names:
        for ext in (".ko.xz", ".ko.gz", ".ko"):
            if n.endswith(ext):
                files[n[: -len(ext)].replace("-", "_")] = os.path.join(d, n)
                break
def read(path):
    if path.endswith(".xz"):
        return lzma.open(path).read()
    if path.endswith(".gz"):
        return gzip.open(path).read()
    return open(path, "rb").read()
order, seen = [], set()
def visit(name):
    if name in seen:
        return
    seen.add(name)
    if name not in files:
        return  # built into this kernel (e.g. virtio_pci=y)
    data = read(files[name])
    for s in data.split(b"\0"):
        if s.startswith(b"depends="):
            for dep in s[8:].decode().split(","):
                if dep:
                    visit(dep.replace("-", "_"))
    with open(os.path.join(dest, name + ".ko"), "wb") as o:
        o.write(data)
    order.append(name + ".ko")
for w in ["virtio_pci", "9pnet_virtio", "9p", "overlay"] + extra:
    visit(w)
with open(os.path.join(dest, "order"), "w") as f:
    f.write("".join(n + "\n" for n in order))
print("kernel-vm: modules:", " ".join(order), file=sys.stderr)
EOF

# The command, run in the chroot by the init script.
{
    echo "#!/bin/sh"
    echo "cd $(printf %q "$PWD") || exit 126"
    printf 'exec'
    printf ' %q' "$@"
    echo
} > "$out/cmd.sh"
rm -f "$out/exit-code" "$out/log.txt"
envs="CI=true PATH=$PATH HOME=${HOME:-/root} TERM=dumb LANG=C.UTF-8 USER=root ${KERNEL_VM_ENV:-}"

cat > "$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "kernel-vm: \$*" > /dev/console; }
for m in \$(cat /mods/order); do
    insmod /mods/\$m || say "insmod \$m failed"
done
fail() { say "\$*"; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288,cache=loose hostroot /lower ||
    fail "mounting the host root over 9p failed"
mount -t tmpfs -o mode=0755 upper /upper
mkdir -p /upper/u /upper/w
if ! mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /host; then
    say "overlayfs failed: the host root is read-only"
    mount --bind /lower /host
fi
mkdir -p /host$(printf %q "$out") 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288 results /host$(printf %q "$out") ||
    fail "mounting the results share failed"
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mkdir -p /host/dev/pts /host/dev/shm
# What udev would create (tests write to /dev/stdout), and the guest kernel's configuration
# where libbpf and our loader look for it (__kconfig externs; Debian has no /proc/config.gz).
ln -sf /proc/self/fd /host/dev/fd
ln -sf /proc/self/fd/0 /host/dev/stdin
ln -sf /proc/self/fd/1 /host/dev/stdout
ln -sf /proc/self/fd/2 /host/dev/stderr
mkdir -p /host/boot
cp /host$(printf %q "$kdir/boot/config-$release") /host/boot/ 2>/dev/null ||
    say "no config-$release in the package"
mount -t devpts devpts /host/dev/pts
mount -t tmpfs shm /host/dev/shm
mount -t tmpfs tmp /host/tmp
mount -t bpf bpf /host/sys/fs/bpf
mount -t debugfs debugfs /host/sys/kernel/debug
mount -t tracefs tracefs /host/sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /host/sys/fs/cgroup 2>/dev/null
ulimit -l unlimited
say "running on \$(cat /proc/sys/kernel/osrelease)"
chroot /host /usr/bin/env -i $envs /bin/sh $(printf %q "$out/cmd.sh") > /host$(printf %q "$out")/log.txt 2>&1
echo \$? > /host$(printf %q "$out")/exit-code
sync
umount /host$(printf %q "$out")
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initramfs.gz"

# 3. Boot. Kernel messages go to console.txt (or this terminal).
console=(-serial "file:$out/console.txt")
[ "${KERNEL_VM_CONSOLE:-0}" = 1 ] && console=(-serial stdio)
echo "kernel-vm: booting $release ($pkg), $accel, $cpus vCPUs, $mem, timeout ${timeout_s}s; results in $out" >&2
start=$(date +%s)
status=0
timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 "${accel_args[@]}" -smp "$cpus" -m "$mem" \
    -nographic -no-reboot -nic none -monitor none "${console[@]}" \
    -kernel "$vmlinuz" -initrd "$work/initramfs.gz" \
    -append "console=ttyS0 rdinit=/init panic=-1 loglevel=4 earlyprintk=serial,ttyS0" \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap" \
    -virtfs "local,path=$out,mount_tag=results,security_model=passthrough" </dev/null || status=$?
echo "kernel-vm: guest ended after $(( $(date +%s) - start )) s" >&2
[ -f "$out/log.txt" ] && cat "$out/log.txt"
if [ "$status" = 124 ]; then
    echo "kernel-vm: timed out after ${timeout_s}s" >&2
    exit 124
fi
[ -f "$out/exit-code" ] || die "the guest wrote no exit code (qemu status $status; see $out/console.txt)"
exit "$(cat "$out/exit-code")"
