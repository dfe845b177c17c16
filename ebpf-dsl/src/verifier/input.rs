//! What the verifier is given: [`VerifyInput`], the program and everything about its load
//! that decides the kernel's verdict (maps, licence, target kernel, flags, BTF, the helpers a
//! kernel build withholds), with its builders.

use crate::isa::insn::Insn;
use crate::spec::{GlobalData, MapSpec, ProgramType, Relocation};

use super::KernelVersion;

/// What the verifier needs to know about a program.
#[derive(Clone, Debug)]
pub struct VerifyInput<'a> {
    /// The instructions (`ld_imm64` as two slots).
    pub insns: &'a [Insn],
    /// The program type (decides the context layout, the helpers and the return rules).
    pub prog_type: ProgramType,
    /// Map references: which `ld_imm64` names which map (by [`MapSpec::name`]).
    pub relocations: &'a [Relocation],
    /// The maps the relocations name.
    pub maps: &'a [MapSpec],
    /// The license string (GPL-only helpers need a GPL-compatible one).
    pub license: &'a str,
    /// The oldest kernel the program must load on: features of newer kernels are not
    /// assumed (see [`target`](super::target)). 6.1 or later ([`KernelVersion::OLDEST`]): an older target
    /// is refused ([`Rule::Unsupported`](super::Rule::Unsupported)).
    pub kernel: KernelVersion,
    /// The `expected_attach_type` it is loaded with (`None`: 0): an XDP program for a DEVMAP
    /// entry ([`crate::spec::BPF_XDP_DEVMAP`]) may read `xdp_md.egress_ifindex`.
    pub expected_attach_type: Option<u32>,
    /// The initial contents the loader writes into maps before the program loads (global
    /// data of an object, a text program's `.map ... init=HEX`). An entry with
    /// [`GlobalData::read_only`] promises that the loader **freezes** that map
    /// (`BPF_MAP_FREEZE`) before the program loads, as libbpf does with `.rodata` and every
    /// loader of this workspace does with read-only data (`xsk_runtime::Loader` refuses data
    /// for a map it does not create): for an array map of one entry created with
    /// `BPF_F_RDONLY_PROG`, a load at a constant offset then gives the known bytes, as in the
    /// kernel (`bpf_map_is_rdonly`, `bpf_map_direct_read`; see `transfer/rodata.rs`). Give
    /// nothing here for maps whose contents are written after the program loads.
    pub data: &'a [GlobalData],
    /// Where map values hold their `struct bpf_spin_lock`, for maps whose BTF is not in their
    /// [`MapSpec::btf`] (an ELF object's maps: [`crate::elf::ObjectBtf::spin_locks`]); a map
    /// with neither has no lock, so `bpf_spin_lock` on it is refused, as by the kernel.
    pub spin_locks: &'a [crate::btf::MapSpinLock],
    /// Where map values hold their `struct bpf_timer`, for maps whose BTF is not in their
    /// [`MapSpec::btf`] (an ELF object's maps: [`crate::elf::ObjectBtf::timers`]); a map with
    /// neither has no timer, so the timer helpers refuse it, as the kernel does.
    pub timers: &'a [crate::btf::MapTimer],
    /// The kptr fields of map values, for maps whose BTF is not in their [`MapSpec::btf`] (an
    /// ELF object's maps: [`crate::elf::ObjectBtf::kptrs`]): a load of a referenced kptr gives
    /// a BTF pointer to its struct, and no other access may touch one
    /// (`transfer/kptr.rs`).
    pub kptrs: &'a [crate::btf::MapKptr],
    /// The program's global functions (BTF linkage `BTF_FUNC_GLOBAL`: an ELF object's
    /// [`crate::elf::ElfProgram::globals`], a text's `.global_func`): each is verified once,
    /// on its own, from its argument types, and a call of it only checks the arguments, as
    /// the kernel does (`transfer/call/global.rs`). The other functions are static: walked at
    /// every call.
    pub globals: &'a [crate::btf::GlobalFunc],
    /// The BTF function info the load passes (an ELF object's
    /// [`crate::elf::ElfProgram::func_info`]), `None` for a load without it. Without it the
    /// kernel refuses `bpf_tail_call` and LD_ABS/LD_IND in any function but the main one;
    /// with it, such a function must return a number (`check_btf_func`), and the tail call is
    /// checked against its callers' stack (`driver.rs`).
    pub func_info: Option<&'a [crate::btf::SubprogFunc]>,
    /// The target kernel's BTF (`/sys/kernel/btf/vmlinux`, the CLI's `--btf`), `None` when
    /// not given. The layouts of the kernel structures behind BTF pointers come from it: reads
    /// through `struct sk_buff *` from `bpf_cast_to_kern_ctx`, through `bpf_rdonly_cast`'s
    /// result (whose type id is one of this BTF's) and through the socket casts'
    /// `struct tcp_sock *` ... (`transfer/btf_access.rs`). Without it such a program is
    /// refused with a message asking for it.
    pub vmlinux: Option<&'a crate::btf::Btf>,
    /// The target kernel's symbol names (`/proc/kallsyms`, [`crate::btf::Kallsyms`]), `None`
    /// when not given. An `ld_imm64` of a kernel variable or function by its BTF id
    /// (`BPF_PSEUDO_BTF_ID`: a typed `__ksym` variable, `ld_pseudo rN, 3, btf_id(var NAME)`)
    /// loads only if the kernel finds its address by name (`kallsyms_lookup_name`); without
    /// these names such a program is refused with a message asking for them
    /// (`transfer/ksym.rs`).
    pub kallsyms: Option<&'a crate::btf::Kallsyms>,
    /// The program's own BTF (an ELF object's `.BTF`,
    /// [`crate::elf::ObjectBtf::program_types`]), `None` when not given: the struct types of
    /// the objects it allocates with `bpf_obj_new` and the map values holding `__kptr`
    /// fields (`transfer/call/graph.rs`). Without it `bpf_obj_new` is refused, and no map
    /// value is known to hold a kptr (`bpf_kptr_xchg` is refused).
    pub program_types: Option<&'a crate::btf::ProgramTypes>,
    /// Verify as the kernel does a load with `BPF_F_STRICT_ALIGNMENT` in `prog_flags` (and
    /// not `BPF_F_ANY_ALIGNMENT`; [`crate::spec::strict_alignment`] decides it from the
    /// flags, [`VerifyInput::with_prog_flags`] sets it from them): every load and store must
    /// be aligned to its size, judged on the constant offset plus the known bits of a
    /// variable one (`check_ptr_alignment`), packet pointers as if the packet started 2 bytes
    /// past an aligned address (the kernel's fixed `NET_IP_ALIGN`). `false` (the default, the
    /// kernel's on x86-64 and arm64): only stack accesses and atomics must be aligned. The
    /// loader must then pass the same flag to the kernel.
    pub strict_alignment: bool,
    /// Verify for a kernel that runs programs in its interpreter (no JIT:
    /// `net.core.bpf_jit_enable = 0`, or an architecture without one). The only rule it
    /// changes is the stack of a call chain (`check_max_stack_depth`): a kernel that JITs the
    /// program counts each function's stack rounded up to 16 bytes (from target 6.12,
    /// [`KernelVersion::JIT_STACK_ROUND16`]), the interpreter rounded up to 32 and at least
    /// 32. `false` (the default): the JIT, which x86-64 and arm64 kernels enable by default;
    /// targets before 6.12 always count in 32-byte units (never more permissive).
    pub interpreter: bool,
    /// The program is loaded device-bound (`BPF_F_XDP_DEV_BOUND_ONLY` in `prog_flags`, with
    /// `prog_ifindex`: xsk-runtime's `LoadOptions::device_bound`), the only load in which the
    /// kernel takes the XDP metadata kfuncs (`bpf_xdp_metadata_rx_*`): without it, a program
    /// that holds a call of one anywhere, reached or not, is refused before it is verified
    /// ("metadata kfuncs require device-bound program", `add_kfunc_call`). `true` in
    /// [`VerifyInput::new`] (the loader binds it); [`VerifyInput::with_prog_flags`] sets it
    /// from the flag; `ebpf-dsl check` without `--device-bound`: `false`, as a plain load.
    pub xdp_dev_bound: bool,
    /// Helpers (by id) that the target kernel refuses to programs of this type though its
    /// release ([`VerifyInput::kernel`]) offers them: a kernel built or patched without them.
    /// A call of one, where reached, is refused as that kernel refuses it ("program of this
    /// type cannot use helper"). `xsk_runtime::probe::unavailable_helpers` reads them off the
    /// running kernel (one `call N` load per helper, as libbpf's and bpftool's feature probes
    /// do; `ebpf-dsl check --probe`). Empty (the default): the release's table alone decides.
    pub unavailable_helpers: &'a [u32],
    /// The number of CPUs the target machine may bring online (its `nr_cpu_ids`:
    /// `/sys/devices/system/cpu/possible`, the highest index plus one;
    /// `xsk_runtime::os::possible_cpus` reads it), `None` when the machine is not known (the
    /// default). From 6.12 ([`KernelVersion::SMP_ID_RANGE`]) the kernel bounds
    /// `bpf_get_smp_processor_id`'s result by `nr_cpu_ids - 1` (`do_refine_retval_range`), so
    /// a program may use the CPU number as an offset into a value that holds one entry per
    /// possible CPU of that machine; with this count the verifier bounds it the same way.
    /// Without it the number is only known to fit in 32 bits (any machine's count does): such
    /// a program is refused (never a false accept), and a verdict given with a count holds
    /// on a machine with at most that many CPUs.
    pub possible_cpus: Option<u32>,
}

/// `BPF_F_XDP_DEV_BOUND_ONLY` (`prog_flags`, Linux 6.3): see [`VerifyInput::xdp_dev_bound`].
pub const BPF_F_XDP_DEV_BOUND_ONLY: u32 = 1 << 6;

impl<'a> VerifyInput<'a> {
    /// A program without map references, licensed `"GPL"`.
    pub fn new(insns: &'a [Insn], prog_type: ProgramType) -> VerifyInput<'a> {
        VerifyInput {
            insns,
            prog_type,
            relocations: &[],
            maps: &[],
            license: "GPL",
            kernel: KernelVersion::DEFAULT,
            expected_attach_type: None,
            data: &[],
            spin_locks: &[],
            timers: &[],
            kptrs: &[],
            globals: &[],
            func_info: None,
            vmlinux: None,
            kallsyms: None,
            program_types: None,
            strict_alignment: false,
            interpreter: false,
            xdp_dev_bound: true,
            unavailable_helpers: &[],
            possible_cpus: None,
        }
    }

    /// The same input verified as a load with `prog_flags` (see
    /// [`VerifyInput::strict_alignment`] and [`VerifyInput::xdp_dev_bound`]; the other flags
    /// do not change this verifier's verdict).
    pub fn with_prog_flags(mut self, prog_flags: u32) -> Self {
        self.strict_alignment = crate::spec::strict_alignment(prog_flags);
        self.xdp_dev_bound = prog_flags & BPF_F_XDP_DEV_BOUND_ONLY != 0;
        self
    }

    /// The same input for a kernel that refuses these helpers to its program type (see
    /// [`VerifyInput::unavailable_helpers`]).
    pub fn with_unavailable_helpers(mut self, ids: &'a [u32]) -> Self {
        self.unavailable_helpers = ids;
        self
    }

    /// The same input for a machine with `cpus` possible CPUs (see
    /// [`VerifyInput::possible_cpus`]; `None`: not known).
    pub fn with_possible_cpus(mut self, cpus: Option<u32>) -> Self {
        self.possible_cpus = cpus;
        self
    }

    /// The same input with the program's own BTF (see [`VerifyInput::program_types`]).
    pub fn with_program_types(mut self, types: &'a crate::btf::ProgramTypes) -> Self {
        self.program_types = Some(types);
        self
    }

    /// The same input with the target kernel's BTF (see [`VerifyInput::vmlinux`]).
    pub fn with_vmlinux(mut self, vmlinux: &'a crate::btf::Btf) -> Self {
        self.vmlinux = Some(vmlinux);
        self
    }

    /// The same input with the target kernel's symbol names (see [`VerifyInput::kallsyms`]).
    pub fn with_kallsyms(mut self, kallsyms: &'a crate::btf::Kallsyms) -> Self {
        self.kallsyms = Some(kallsyms);
        self
    }

    /// The same input with the BTF function info of its subprograms (see
    /// [`VerifyInput::func_info`]).
    pub fn with_func_info(mut self, func_info: &'a [crate::btf::SubprogFunc]) -> Self {
        self.func_info = Some(func_info);
        self
    }

    /// The same input with global functions (see [`VerifyInput::globals`]).
    pub fn with_globals(mut self, globals: &'a [crate::btf::GlobalFunc]) -> Self {
        self.globals = globals;
        self
    }

    /// The same input with the maps' initial contents (see [`VerifyInput::data`]).
    pub fn with_data(mut self, data: &'a [GlobalData]) -> Self {
        self.data = data;
        self
    }

    /// The same input with the spin lock offsets of maps described by BTF outside their
    /// specs (see [`VerifyInput::spin_locks`]).
    pub fn with_spin_locks(mut self, spin_locks: &'a [crate::btf::MapSpinLock]) -> Self {
        self.spin_locks = spin_locks;
        self
    }

    /// The same input with the timer offsets of maps described by BTF outside their specs
    /// (see [`VerifyInput::timers`]).
    pub fn with_timers(mut self, timers: &'a [crate::btf::MapTimer]) -> Self {
        self.timers = timers;
        self
    }

    /// The same input with the kptr fields of maps described by BTF outside their specs (see
    /// [`VerifyInput::kptrs`]).
    pub fn with_kptrs(mut self, kptrs: &'a [crate::btf::MapKptr]) -> Self {
        self.kptrs = kptrs;
        self
    }

    /// The same input loaded with `expected_attach_type` (see
    /// [`VerifyInput::expected_attach_type`]).
    pub fn with_attach_type(mut self, expected_attach_type: Option<u32>) -> Self {
        self.expected_attach_type = expected_attach_type;
        self
    }

    /// The same input verified for `kernel` and later (default [`KernelVersion::DEFAULT`];
    /// [`verify`](super::verify) refuses a target older than [`KernelVersion::OLDEST`]).
    pub fn with_kernel(mut self, kernel: KernelVersion) -> Self {
        self.kernel = kernel;
        self
    }

    /// The same input with map references.
    pub fn with_maps(mut self, relocations: &'a [Relocation], maps: &'a [MapSpec]) -> Self {
        self.relocations = relocations;
        self.maps = maps;
        self
    }
}
