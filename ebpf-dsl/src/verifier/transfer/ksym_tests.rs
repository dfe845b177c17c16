//! Unit tests of kernel variables loaded by their BTF id (`ksym.rs`) and of
//! `bpf_this_cpu_ptr` / `bpf_per_cpu_ptr` (`call/cpu_ptr.rs`), on whole programs against a
//! small kernel BTF and symbol list.

use crate::asm::assemble_unchecked;
use crate::btf::{Btf, Kallsyms, Kind, Linkage, Member, Type, VarSecInfo};
use crate::verifier::{needs_vmlinux, verify, KernelVersion, Rule, VerifyInput};
use crate::ProgramType;

/// Ids of [`vmlinux`]'s variables and function.
const RUNQUEUES: u32 = 4; // per-CPU struct rq
const PROG_ACTIVE: u32 = 5; // per-CPU int
const INIT_RQ: u32 = 6; // struct rq
const JIFFIES: u32 = 7; // u64
const ARR: u32 = 9; // int[4]
const FUNC: u32 = 12; // a function
const MISSING: u32 = 13; // an int not among the symbols
const VOID_VAR: u32 = 14; // a variable of no type
const RQ: u32 = 3; // struct rq itself

fn var(name: &str, ty: u32) -> Type {
    Type::new(
        name,
        Kind::Var {
            ty,
            linkage: Linkage::Global,
        },
    )
}

/// `int` (1), `u64` (2), `struct rq { u64 clock; int cpu; }` (3, 16 bytes), the variables
/// above, `int[4]` (8), the `.data..percpu` section of `runqueues` and `bpf_prog_active`
/// (10), a prototype (11) and its function `some_func` (12).
fn vmlinux() -> Btf {
    let mut b = Btf::new();
    let int = b.push(Type::int("int", 4, true));
    let u64_ = b.push(Type::int("long long unsigned int", 8, false));
    let m = |name: &str, ty: u32, bit_offset: u32| Member {
        name: name.into(),
        ty,
        bit_offset,
        bitfield_size: 0,
    };
    let rq = b.push(Type::new(
        "rq",
        Kind::Struct {
            size: 16,
            members: vec![m("clock", u64_, 0), m("cpu", int, 64)],
        },
    ));
    assert_eq!(b.push(var("runqueues", rq)), RUNQUEUES);
    assert_eq!(b.push(var("bpf_prog_active", int)), PROG_ACTIVE);
    assert_eq!(b.push(var("init_rq", rq)), INIT_RQ);
    assert_eq!(b.push(var("jiffies_like", u64_)), JIFFIES);
    let arr = b.push(Type::new(
        "",
        Kind::Array {
            elem: int,
            index: int,
            nelems: 4,
        },
    ));
    assert_eq!(b.push(var("arr_var", arr)), ARR);
    let info = |ty: u32| VarSecInfo {
        ty,
        offset: 0,
        size: 4,
    };
    b.push(Type::new(
        ".data..percpu",
        Kind::Datasec {
            size: 0,
            vars: vec![info(RUNQUEUES), info(PROG_ACTIVE)],
        },
    ));
    let proto = b.push(Type::new(
        "",
        Kind::FuncProto {
            ret: int,
            params: vec![],
        },
    ));
    assert_eq!(
        b.push(Type::new(
            "some_func",
            Kind::Func {
                proto,
                linkage: Linkage::Global,
            },
        )),
        FUNC
    );
    assert_eq!(b.push(var("missing_sym", int)), MISSING);
    assert_eq!(b.push(var("void_var", 0)), VOID_VAR);
    b
}

fn kallsyms() -> Kallsyms {
    Kallsyms::from_names([
        "runqueues",
        "bpf_prog_active",
        "init_rq",
        "jiffies_like",
        "arr_var",
        "some_func",
        "void_var",
    ])
}

/// Verifies `src` (an XDP program, GPL unless `license`) with [`vmlinux`] and
/// [`kallsyms`]: the first error's rule and message, or `None`.
fn run(src: &str, license: &str, btf: bool, syms: bool) -> Option<(Rule, String)> {
    let asm = assemble_unchecked(src).unwrap_or_else(|e| panic!("{e:?}"));
    let (b, k) = (vmlinux(), kallsyms());
    let mut input =
        VerifyInput::new(&asm.insns, ProgramType::Xdp).with_kernel(KernelVersion::new(6, 18));
    input.license = license;
    if btf {
        input = input.with_vmlinux(&b);
    }
    if syms {
        input = input.with_kallsyms(&k);
    }
    verify(&input)
        .err()
        .map(|e| (e[0].rule, e[0].message.clone()))
}

fn check(src: &str) -> Option<(Rule, String)> {
    run(src, "GPL", true, true)
}

/// `src` refused, its message holding `want`.
fn refused(src: &str, want: &str) {
    match check(src) {
        Some((_, m)) => assert!(m.contains(want), "{m}\n(wanted: {want})\n{src}"),
        None => panic!("accepted:\n{src}"),
    }
}

fn accepted(src: &str) {
    assert_eq!(check(src), None, "{src}");
}

/// `ld_pseudo r1, 3, ID`, then `body`, then `r0 = 0; exit`.
fn prog(id: u32, body: &str) -> String {
    format!("ld_pseudo r1, 3, {id}\n{body}\nr0 = 0\nexit\n")
}

#[test]
fn a_per_cpu_struct_is_read_through_this_cpu_ptr() {
    accepted(&prog(
        RUNQUEUES,
        "call bpf_this_cpu_ptr\nr1 = *(u64 *)(r0 + 0)\nr1 = *(u32 *)(r0 + 8)",
    ));
    refused(
        &prog(RUNQUEUES, "call bpf_this_cpu_ptr\nr1 = *(u64 *)(r0 + 16)"),
        "access beyond struct rq",
    );
    refused(
        &prog(
            RUNQUEUES,
            "call bpf_this_cpu_ptr\nr2 = 1\n*(u64 *)(r0 + 0) = r2",
        ),
        "only read is supported",
    );
}

#[test]
fn a_per_cpu_variable_is_never_read_through_directly() {
    refused(
        &prog(RUNQUEUES, "r2 = *(u64 *)(r1 + 0)"),
        "R1 is ptr_rq access percpu memory: off=0",
    );
    refused(
        &prog(PROG_ACTIVE, "r2 = *(u32 *)(r1 + 0)"),
        "R1 is ptr_int access percpu memory",
    );
    assert!(check(&prog(PROG_ACTIVE, "r2 = 1\n*(u32 *)(r1 + 0) = r2")).is_some());
}

#[test]
fn a_per_cpu_int_is_read_only_memory_of_its_size() {
    accepted(&prog(
        PROG_ACTIVE,
        "call bpf_this_cpu_ptr\nr1 = *(u32 *)(r0 + 0)",
    ));
    refused(
        &prog(PROG_ACTIVE, "call bpf_this_cpu_ptr\nr1 = *(u64 *)(r0 + 0)"),
        "4 bytes of read-only kernel memory",
    );
    refused(
        &prog(
            PROG_ACTIVE,
            "call bpf_this_cpu_ptr\nr1 = 1\n*(u32 *)(r0 + 0) = r1",
        ),
        "rdonly_mem",
    );
}

#[test]
fn per_cpu_ptr_may_give_null() {
    let with = |body: &str| {
        prog(
            PROG_ACTIVE,
            &format!("r2 = 0\ncall bpf_per_cpu_ptr\n{body}"),
        )
    };
    assert_eq!(
        check(&with("r1 = *(u32 *)(r0 + 0)")).map(|(r, _)| r),
        Some(Rule::NullCheck)
    );
    accepted(&with("if r0 == 0 goto +1\nr1 = *(u32 *)(r0 + 0)"));
    let st = |body: &str| prog(RUNQUEUES, &format!("r2 = 0\ncall bpf_per_cpu_ptr\n{body}"));
    assert_eq!(
        check(&st("r1 = *(u64 *)(r0 + 0)")).map(|(r, _)| r),
        Some(Rule::NullCheck)
    );
    accepted(&st("if r0 == 0 goto +1\nr1 = *(u32 *)(r0 + 8)"));
    // The CPU must be initialised.
    refused(
        &prog(PROG_ACTIVE, "call bpf_per_cpu_ptr"),
        "bpf_per_cpu_ptr takes the CPU in r2",
    );
}

#[test]
fn the_cpu_ptr_helpers_take_only_an_unmodified_per_cpu_variable() {
    refused(
        &prog(RUNQUEUES, "r1 += 8\ncall bpf_this_cpu_ptr"),
        "dereference of modified percpu_ptr_ ptr R1 off=8",
    );
    refused(
        &prog(INIT_RQ, "call bpf_this_cpu_ptr"),
        "expected=percpu_ptr_",
    );
    refused(
        "r1 = 0\ncall bpf_this_cpu_ptr\nr0 = 0\nexit\n",
        "expected=percpu_ptr_",
    );
    refused(
        &prog(JIFFIES, "call bpf_this_cpu_ptr"),
        "expected=percpu_ptr_",
    );
}

#[test]
fn a_struct_variable_is_a_btf_pointer() {
    accepted(&prog(
        INIT_RQ,
        "r2 = *(u64 *)(r1 + 0)\nr2 = *(u32 *)(r1 + 8)",
    ));
    refused(
        &prog(INIT_RQ, "r2 = *(u64 *)(r1 + 16)"),
        "access beyond struct rq",
    );
    refused(
        &prog(INIT_RQ, "r2 = 1\n*(u64 *)(r1 + 0) = r2"),
        "only read is supported",
    );
    // A non-GPL program reads no kernel structure.
    let (_, m) = run(&prog(INIT_RQ, "r2 = *(u64 *)(r1 + 0)"), "MIT", true, true).unwrap();
    assert!(
        m.contains("Cannot access kernel 'struct rq' from non-GPL compatible program"),
        "{m}"
    );
}

#[test]
fn another_variable_is_read_only_memory_of_its_size() {
    accepted(&prog(JIFFIES, "r2 = *(u64 *)(r1 + 0)"));
    refused(
        &prog(JIFFIES, "r2 = *(u64 *)(r1 + 8)"),
        "touches bytes 8..16",
    );
    refused(
        &prog(JIFFIES, "r2 = 1\n*(u64 *)(r1 + 0) = r2"),
        "rdonly_mem",
    );
    accepted(&prog(ARR, "r2 = *(u32 *)(r1 + 12)"));
    refused(&prog(ARR, "r2 = *(u32 *)(r1 + 16)"), "touches bytes 16..20");
    refused(
        &prog(VOID_VAR, ""),
        "ldimm64 unable to resolve the size of type",
    );
    // A function: 0 bytes.
    accepted(&prog(FUNC, ""));
    refused(&prog(FUNC, "r2 = *(u8 *)(r1 + 0)"), "touches bytes 0..1");
}

#[test]
fn the_kernel_must_have_the_symbol_and_the_id_a_variable_or_function() {
    refused(
        &prog(MISSING, ""),
        "ldimm64 failed to find the address for kernel symbol 'missing_sym'.",
    );
    refused(&prog(999, ""), "ldimm64 insn specifies invalid btf_id 999.");
    refused(
        &prog(RQ, ""),
        "pseudo btf_id 3 in ldimm64 isn't KIND_VAR or KIND_FUNC",
    );
    // Checked before the walk, on a path never taken too.
    refused(
        "r0 = 0\nif r0 == 0 goto +2\nld_pseudo r1, 3, 13\nr0 = 0\nexit\n",
        "failed to find the address for kernel symbol 'missing_sym'",
    );
    // A module's BTF (a second imm): not modelled.
    let (rule, _) = check("ld_pseudo r1, 3, 5, 7\nr0 = 0\nexit\n").unwrap();
    assert_eq!(rule, Rule::Unsupported);
}

#[test]
fn without_the_kernel_btf_or_symbols_it_is_not_decided() {
    let src = prog(PROG_ACTIVE, "");
    let asm = assemble_unchecked(&src).unwrap();
    let input = VerifyInput::new(&asm.insns, ProgramType::Xdp);
    let errs = verify(&input).unwrap_err();
    assert!(needs_vmlinux(&errs[0]), "{}", errs[0].message);
    let (rule, m) = run(&src, "GPL", true, false).unwrap();
    assert_eq!(rule, Rule::Unsupported);
    assert!(m.contains("symbol names"), "{m}");
}

#[test]
fn read_only_kernel_memory_as_a_helper_argument() {
    let csum = |n: u32| {
        prog(
            JIFFIES,
            &format!("r2 = {n}\nr3 = 0\nr4 = 0\nr5 = 0\ncall bpf_csum_diff"),
        )
    };
    accepted(&csum(8));
    assert!(check(&csum(12)).is_some());
    // Not ring buffer memory: nothing to submit.
    refused(
        &prog(JIFFIES, "r2 = 0\ncall bpf_ringbuf_submit"),
        "expects the unmodified pointer returned by bpf_ringbuf_reserve",
    );
    // Not writable memory for a helper either.
    refused(
        &prog(JIFFIES, "r2 = 8\nr3 = 0\ncall bpf_probe_read_kernel"),
        "cannot write into rdonly_mem",
    );
}

#[test]
fn kernel_pointers_move_spill_and_compare() {
    accepted(&prog(
        PROG_ACTIVE,
        "*(u64 *)(r10 - 8) = r1\nr1 = *(u64 *)(r10 - 8)\nif r1 == 0 goto +1\ncall bpf_this_cpu_ptr",
    ));
    accepted(&prog(JIFFIES, "r1 += 4\nr2 = *(u32 *)(r1 + 0)"));
    refused(
        &prog(JIFFIES, "r1 += 6\nr2 = *(u32 *)(r1 + 0)"),
        "touches bytes 6..10",
    );
}

/// `bpf_per_cpu_ptr`'s CPU (r2) is `ARG_ANYTHING` (found by `tools/helper-protos/check.py`):
/// r7 passed there after each join of a chain of diamonds stays imprecise and each join prunes
/// its second way; demanding it exact walks 2^n paths.
#[test]
fn per_cpu_ptrs_cpu_is_not_demanded_exact() {
    let mut src = String::from("r7 = 0\n");
    for k in 0..10 {
        src += &format!(
            "call bpf_get_prandom_u32\nr7 <<= 1\nif r0 > 100 goto a{k}\nr7 |= 1\na{k}:\n\
             ld_pseudo r1, 3, {PROG_ACTIVE}\nr2 = r7\ncall bpf_per_cpu_ptr\n"
        );
    }
    src += "r0 = 0\nexit";
    let asm = assemble_unchecked(&src).unwrap_or_else(|e| panic!("{e:?}"));
    let (b, k) = (vmlinux(), kallsyms());
    let input = VerifyInput::new(&asm.insns, ProgramType::Xdp)
        .with_kernel(KernelVersion::new(6, 18))
        .with_vmlinux(&b)
        .with_kallsyms(&k);
    let run = |exact| {
        crate::verifier::verify_with(&input, &crate::verifier::Trust::none(), exact, false)
            .expect("accepted")
    };
    let (ours, walked) = (run(false), run(true));
    assert!(ours.insns_processed < 1_000, "{ours:?}");
    assert!(
        ours.insns_processed * 20 < walked.insns_processed,
        "{ours:?} vs {walked:?}"
    );
}
