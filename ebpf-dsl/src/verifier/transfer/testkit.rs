//! Unit tests of the transfer functions: a state built by hand, one instruction applied to it
//! through the driver's dispatch ([`Exec::step`]), and the state after it or the rejection.

use std::borrow::Cow;

use crate::asm::assemble_unchecked;
use crate::spec::{MapSpec, MapType, ProgramType};

use super::super::context::{Exec, Step};
use super::super::domain::scalar::Scalar;
use super::super::domain::state::{PktKind, RegVal, Slot, State};
use super::super::trust::Trust;
use super::super::{cfg, initial_state, map_refs, KernelVersion, Rule, VerifierError, VerifyInput};

/// Verifies `src` (an XDP program naming the maps of [`maps`]) for `kernel` with the pruning
/// trace: the rules broken, and the paths pruned at the instruction after label `at`.
pub(crate) fn pruned_at(
    src: &str,
    at: &str,
    kernel: KernelVersion,
) -> (Result<(), Vec<Rule>>, usize) {
    let a = assemble_unchecked(src).expect("valid text");
    let maps = maps();
    let input = VerifyInput::new(&a.insns, ProgramType::Xdp)
        .with_kernel(kernel)
        .with_maps(&a.relocations, &maps);
    let (verdict, trace) = super::super::trace::verify_traced(&input, &Trust::none(), false);
    let pc = a
        .labels
        .iter()
        .find(|(name, _)| name.as_str() == at)
        .map(|(_, pc)| *pc)
        .expect("label");
    let verdict = verdict
        .map(drop)
        .map_err(|es| es.into_iter().map(|e| e.rule).collect());
    (verdict, trace.insns[pc].pruned)
}

/// The maps the test programs may name: `arr` (array, 4-byte key, 16-byte value), `hash`
/// (hash, 8-byte key and value), `ro` (array, read-only for programs), `rb` (ring buffer),
/// `sk` (socket storage, 4-byte key, 8-byte value), `lk` (hash, 4-byte key, 16-byte value
/// whose BTF has a `bpf_spin_lock` at offset 4), `sm` (sockmap),
/// `xs` (xskmap), `ia` (array like `arr`, created with `BPF_F_INNER_MAP`).
pub(crate) fn maps() -> Vec<MapSpec> {
    let map = |name: &'static str, map_type, key_size, value_size, max_entries, flags| MapSpec {
        name: Cow::Borrowed(name),
        map_type,
        key_size,
        value_size,
        max_entries,
        flags,
        btf: None,
        inner: None,
    };
    vec![
        map("arr", MapType::Array, 4, 16, 4, 0),
        map("hash", MapType::Hash, 8, 8, 16, 0),
        map("ro", MapType::Array, 4, 8, 1, 1 << 7),
        map("rb", MapType::Ringbuf, 0, 0, 4096, 0),
        map("sk", MapType::SkStorage, 4, 8, 0, 1),
        MapSpec {
            btf: Some(crate::btf::MapBtf {
                key: |b| Some(<u32 as crate::btf::BtfType>::btf_type(b)),
                value: |b| Some(super::call::lock_test_value(b)),
            }),
            ..map("lk", MapType::Hash, 4, 16, 4, 0)
        },
        map("sm", MapType::Sockmap, 4, 4, 4, 0),
        map("xs", MapType::Xskmap, 4, 4, 4, 0),
        map("ia", MapType::Array, 4, 16, 4, 1 << 12),
    ]
}

/// One instruction to apply: the program it sits in and the settings of the verifier.
#[derive(Clone)]
pub(crate) struct One {
    src: String,
    ty: ProgramType,
    kernel: KernelVersion,
    /// Honour the `trust_*` labels.
    trust: bool,
    /// The `expected_attach_type`.
    attach: Option<u32>,
    /// The license (default `"GPL"`).
    license: &'static str,
    /// The kernel's BTF, if given.
    vmlinux: Option<std::rc::Rc<crate::btf::Btf>>,
    /// The program's own BTF, if given.
    program: Option<std::rc::Rc<crate::btf::ProgramTypes>>,
    /// Verified with `BPF_F_STRICT_ALIGNMENT`.
    strict: bool,
}

impl One {
    /// The first instruction of `src` (the instructions after it only make the program well
    /// formed: reachable, ending with `exit`), in an XDP program for the default kernel.
    pub(crate) fn new(src: &str) -> One {
        One {
            src: src.to_string(),
            ty: ProgramType::Xdp,
            kernel: KernelVersion::DEFAULT,
            trust: false,
            attach: None,
            license: "GPL",
            vmlinux: None,
            program: None,
            strict: false,
        }
    }

    /// Verified with strict alignment (`BPF_F_STRICT_ALIGNMENT`).
    pub(crate) fn strict(mut self) -> One {
        self.strict = true;
        self
    }

    /// With `types` as the program's own BTF.
    pub(crate) fn program(mut self, types: std::rc::Rc<crate::btf::ProgramTypes>) -> One {
        self.program = Some(types);
        self
    }

    /// Under the license `license`.
    pub(crate) fn license(mut self, license: &'static str) -> One {
        self.license = license;
        self
    }

    /// With `btf` as the kernel's BTF.
    pub(crate) fn vmlinux(mut self, btf: std::rc::Rc<crate::btf::Btf>) -> One {
        self.vmlinux = Some(btf);
        self
    }

    /// Loaded with `expected_attach_type` `attach`.
    pub(crate) fn attach(mut self, attach: u32) -> One {
        self.attach = Some(attach);
        self
    }

    /// In a program of type `ty`.
    pub(crate) fn ty(mut self, ty: ProgramType) -> One {
        self.ty = ty;
        self
    }

    /// Verified for the target kernel `kernel`.
    pub(crate) fn kernel(mut self, kernel: KernelVersion) -> One {
        self.kernel = kernel;
        self
    }

    /// Honouring the program's `trust_*` labels.
    pub(crate) fn trusting_labels(mut self) -> One {
        self.trust = true;
        self
    }

    /// Applies instruction `pc` of the program to `st`.
    pub(crate) fn at(&self, pc: usize, st: &mut State) -> Result<Step, VerifierError> {
        let asm = assemble_unchecked(&self.src).unwrap_or_else(|e| panic!("{e:?}"));
        let maps = maps();
        let mut input = VerifyInput::new(&asm.insns, self.ty)
            .with_kernel(self.kernel)
            .with_attach_type(self.attach)
            .with_maps(&asm.relocations, &maps);
        input.license = self.license;
        input.vmlinux = self.vmlinux.as_deref();
        input.program_types = self.program.as_deref();
        input.strict_alignment = self.strict;
        let ops = cfg::decode(&asm.insns).expect("decode");
        let cfg = cfg::check(&ops).expect("well-formed test program");
        let refs = map_refs(&input).expect("maps");
        let mut ex = Exec::new(&input, &ops, &cfg, refs);
        if self.trust {
            ex = ex.with_trust(Trust::from_labels(&asm.labels).expect("trust labels"));
        }
        ex.step(pc, st)
    }

    /// Applies the first instruction to `st`.
    pub(crate) fn apply(&self, st: &mut State) -> Result<Step, VerifierError> {
        self.at(0, st)
    }

    /// Applies the first instruction to `st`, which must be accepted and fall through (or jump)
    /// to one successor; returns it.
    pub(crate) fn next(&self, st: &mut State) -> usize {
        match self.apply(st) {
            Ok(Step::Next(n)) => n,
            other => panic!("expected one successor, got {other:?}"),
        }
    }

    /// Applies the first instruction to `st`, which must be refused; returns the rule and the
    /// message.
    pub(crate) fn refused(&self, st: &mut State) -> (Rule, String) {
        match self.apply(st) {
            Err(e) => {
                assert_eq!(e.insn_index, 0, "{e}");
                (e.rule, e.message)
            }
            Ok(s) => panic!("expected a rejection, got {s:?}"),
        }
    }
}

/// The state at the program's entry (`r1` the context) with registers set.
pub(crate) fn state(regs: &[(u8, RegVal)]) -> State {
    let mut st = initial_state();
    for (r, v) in regs {
        st.cur_mut().regs[*r as usize] = *v;
    }
    st
}

/// Register `r` of the current frame.
pub(crate) fn reg(st: &State, r: u8) -> &RegVal {
    &st.cur().regs[r as usize]
}

/// Register `r`, which must hold a number.
pub(crate) fn num(st: &State, r: u8) -> Scalar {
    match reg(st, r) {
        RegVal::Scalar(s) => *s,
        v => panic!("r{r} is not a number: {v:?}"),
    }
}

/// The stack slot at `r10 + off` (a multiple of 8) of the current frame.
pub(crate) fn slot(st: &State, off: i32) -> &Slot {
    &st.cur().stack[((off + 512) / 8) as usize]
}

/// A number.
pub(crate) fn scalar(s: Scalar) -> RegVal {
    RegVal::Scalar(s)
}

/// A constant.
pub(crate) fn konst(c: u64) -> RegVal {
    RegVal::Scalar(Scalar::konst(c))
}

/// A stack pointer `r10 + off` into the current (first) frame.
pub(crate) fn stack(off: i32) -> RegVal {
    RegVal::Stack { frame: 0, off }
}

/// `data + off`, proven safe up to `data + range`.
pub(crate) fn pkt(off: i32, range: i32) -> RegVal {
    RegVal::Pkt {
        kind: PktKind::Data,
        off,
        var: Scalar::konst(0),
        id: 0,
        range,
    }
}

/// A pointer into a value of map number `map` of [`maps`], at `off`.
pub(crate) fn map_value(map: u16, off: i32) -> RegVal {
    RegVal::MapValue {
        map,
        off,
        var: Scalar::konst(0),
        id: 0,
    }
}
