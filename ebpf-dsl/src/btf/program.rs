//! A program's own BTF: one `FUNC` per function (the program and its bpf-to-bpf callees) and a
//! `line_info` record per source line, in the form `BPF_PROG_LOAD` takes them
//! ([`KernelBtf`]) or an ELF object's `.BTF.ext` needs them ([`program_btf`]).

use std::borrow::Cow;

use super::ext::line_col;
use super::*;
use crate::insn::Insn;

/// Where one instruction came from: what `defprogram!` records for every instruction (its
/// Rust file and line) and the text assembler for every line of a text program.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceLine {
    /// Instruction index (slot; the first slot of an `ld_imm64`).
    pub insn: u32,
    /// The source file.
    pub file: Cow<'static, str>,
    /// Line number, 1-based.
    pub line: u32,
    /// Column, 1-based (0: unknown).
    pub col: u32,
    /// The source text of the instruction (shown by the kernel's verifier log).
    pub text: Cow<'static, str>,
}

/// BTF and the `func_info` / `line_info` records for `BPF_PROG_LOAD` (instruction indexes, and
/// string offsets into [`KernelBtf::btf`]'s string table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelBtf {
    /// The `.BTF` blob to load with `BPF_BTF_LOAD`.
    pub btf: Vec<u8>,
    /// `struct bpf_func_info` records: `insn_off`, `type_id`.
    pub func_info: Vec<[u32; 2]>,
    /// `struct bpf_line_info` records: `insn_off`, `file_name_off`, `line_off`, `line_col`.
    pub line_info: Vec<[u32; 4]>,
}

/// The first slot of every function: 0, every bpf-to-bpf call's target, and every callback
/// an `ld_imm64` takes the address of (`BPF_PSEUDO_FUNC`).
pub fn function_starts(insns: &[Insn]) -> Vec<u32> {
    let mut starts = vec![0u32];
    let mut i = 0;
    while i < insns.len() {
        let insn = &insns[i];
        // `call` with src_reg = BPF_PSEUDO_CALL, or `ld_imm64` with src_reg = BPF_PSEUDO_FUNC.
        if (insn.code == 0x85 && insn.src() == 1) || (insn.code == 0x18 && insn.src() == 4) {
            let t = i as i64 + 1 + i64::from(insn.imm);
            if (0..insns.len() as i64).contains(&t) {
                starts.push(t as u32);
            }
        }
        i += if insn.code == 0x18 { 2 } else { 1 };
    }
    starts.sort_unstable();
    starts.dedup();
    starts
}

/// The BTF function info this crate's loaders pass the kernel with a program whose BTF they
/// load (`xsk-runtime` does for a program with source lines, a callback or a global function,
/// [`program_btf_with_globals`]): a `FUNC` for every function ([`function_starts`], and an
/// exception callback outside the calls), each returning `int`. Given to the static verifier
/// as [`VerifyInput::func_info`](crate::verifier::VerifyInput::func_info), it judges a tail
/// call or LD_ABS / LD_IND in a subprogram as the kernel does with that BTF (without it the
/// kernel refuses them: "tail_call is not allowed in subprogs without BTF"), the legacy
/// packet load's hidden exit included (it may return 0 to the caller, Linux 6.13+).
pub fn loader_func_info(insns: &[Insn], globals: &[GlobalFunc]) -> Vec<SubprogFunc> {
    func_starts(insns, globals)
        .into_iter()
        .map(|insn| SubprogFunc {
            insn,
            returns_scalar: true,
        })
        .collect()
}

/// Whether this crate's loaders load BTF with a program, hence pass [`loader_func_info`]:
/// when it has source lines (`has_lines`), takes a callback's address (an `ld_imm64` with
/// `src = BPF_PSEUDO_FUNC`: the kernel wants function info for callbacks, "missing btf
/// func_info") or has global functions. xsk-runtime decides by it; a harness comparing the
/// static verifier with such a load gives the function info exactly then.
pub fn loader_passes_btf(insns: &[Insn], has_lines: bool, globals: &[GlobalFunc]) -> bool {
    if has_lines || !globals.is_empty() {
        return true;
    }
    let mut i = 0;
    while i < insns.len() {
        if insns[i].code == 0x18 {
            if insns[i].src() == 4 {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// The functions a program's BTF describes: [`function_starts`], and an exception callback
/// nothing calls (a global function's `exception_cb`, not at slot 0), in order.
fn func_starts(insns: &[Insn], globals: &[GlobalFunc]) -> Vec<u32> {
    let mut starts = function_starts(insns);
    for g in globals.iter().filter(|g| g.exception_cb) {
        if g.insn != 0 && (g.insn as usize) < insns.len() && !starts.contains(&g.insn) {
            starts.push(g.insn);
        }
    }
    starts.sort_unstable();
    starts
}

/// A C identifier made of `name` (BTF names must be): other characters become `_`.
fn identifier(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// The BTF of a program named `name`: `int name(void *ctx)` (global, like clang's) and a static
/// `int name_N(void)` for each bpf-to-bpf callee at slot N, with their `func_info`; and the
/// `line_info` for `lines` (one record per slot, slots sorted; none for the second slot of an
/// `ld_imm64`; each function's first slot gets the nearest earlier line when it has none,
/// since the kernel wants a line at every function start). `section` names the ELF section.
pub fn program_btf(
    name: &str,
    section: &str,
    insns: &[Insn],
    lines: &[SourceLine],
) -> (Btf, BtfExt) {
    program_btf_with_globals(name, section, insns, lines, &[], None)
}

/// [`program_btf`], where the functions of `globals` that start a function are global, with
/// their names and prototypes ([`GlobalFunc::add_to`]), so that the kernel verifies each once
/// on its own (the others stay static `int name_N(void)`). An exception callback among them
/// ([`GlobalFunc::exception_cb`]) is a function even if nothing calls it, and the main
/// program's `FUNC` gets the decl tag `exception_callback:NAME` naming it (one per callback:
/// the kernel refuses more than one; one at slot 0, not in the program, gets its tag and a
/// `FUNC` with no `func_info`, as libbpf before 1.3 loads such an object). `ctx_struct` is the
/// program type's context structure
/// ([`ProgramType::ctx_struct`](crate::spec::ProgramType::ctx_struct)): a
/// [`GlobalArg::Ctx`](super::GlobalArg::Ctx) argument points to it, so that every kernel
/// takes it ([`GlobalFunc::add_to`]).
pub fn program_btf_with_globals(
    name: &str,
    section: &str,
    insns: &[Insn],
    lines: &[SourceLine],
    globals: &[GlobalFunc],
    ctx_struct: Option<&str>,
) -> (Btf, BtfExt) {
    let mut btf = Btf::new();
    let int = btf.add(Type::int("int", 4, true));
    let void_ptr = btf.add(Type::new("", Kind::Ptr(0)));
    let main_proto = btf.add(Type::new(
        "",
        Kind::FuncProto {
            ret: int,
            params: vec![Param {
                name: "ctx".into(),
                ty: void_ptr,
            }],
        },
    ));
    let sub_proto = btf.add(Type::new(
        "",
        Kind::FuncProto {
            ret: int,
            params: Vec::new(),
        },
    ));
    let starts = func_starts(insns, globals);
    let mut funcs = Vec::new();
    let mut main_id = None;
    for &s in &starts {
        if let Some(g) = globals.iter().find(|g| s != 0 && g.insn == s) {
            let type_id = g.add_to(&mut btf, ctx_struct);
            funcs.push(FuncInfo { insn: s, type_id });
            continue;
        }
        let (fname, proto, linkage) = if s == 0 {
            (identifier(name), main_proto, Linkage::Global)
        } else {
            (
                format!("{}_{s}", identifier(name)),
                sub_proto,
                Linkage::Static,
            )
        };
        let id = btf.push(Type::new(fname, Kind::Func { proto, linkage }));
        if s == 0 {
            main_id = Some(id);
        }
        funcs.push(FuncInfo {
            insn: s,
            type_id: id,
        });
    }
    if let Some(main) = main_id {
        for g in globals.iter().filter(|g| g.exception_cb) {
            if g.insn == 0 {
                // Not loaded with the program: its `FUNC` only.
                g.add_to(&mut btf, ctx_struct);
            }
            btf.push(Type::new(
                format!("{}{}", super::global::EXCEPTION_CALLBACK_TAG, g.name),
                Kind::DeclTag {
                    ty: main,
                    component_idx: -1,
                },
            ));
        }
    }

    // Second slots of ld_imm64 carry no line.
    let mut second = vec![false; insns.len()];
    let mut i = 0;
    while i < insns.len() {
        if insns[i].code == 0x18 && i + 1 < insns.len() {
            second[i + 1] = true;
            i += 2;
        } else {
            i += 1;
        }
    }
    let mut sorted: Vec<&SourceLine> = lines
        .iter()
        .filter(|l| (l.insn as usize) < insns.len() && !second[l.insn as usize])
        .collect();
    sorted.sort_by_key(|l| l.insn);
    sorted.dedup_by_key(|l| l.insn);
    let mut out: Vec<LineInfo> = Vec::new();
    let to_rec = |l: &SourceLine, insn: u32| LineInfo {
        insn,
        file: l.file.to_string(),
        text: l.text.to_string(),
        line: l.line,
        col: l.col,
    };
    if !sorted.is_empty() {
        let mut li = 0;
        for (fi, &start) in starts.iter().enumerate() {
            let end = starts.get(fi + 1).copied().unwrap_or(u32::MAX);
            while li < sorted.len() && sorted[li].insn < start {
                li += 1;
            }
            if sorted.get(li).is_none_or(|l| l.insn != start) {
                // A function start without its own line: the nearest line before it, else
                // the first line of the program.
                let src = li.checked_sub(1).map_or(sorted[0], |p| sorted[p]);
                out.push(to_rec(src, start));
            }
            while li < sorted.len() && sorted[li].insn < end {
                out.push(to_rec(sorted[li], sorted[li].insn));
                li += 1;
            }
        }
    }
    let ext = BtfExt {
        func_info: vec![ExtSection {
            name: section.to_string(),
            records: funcs,
        }],
        line_info: if out.is_empty() {
            Vec::new()
        } else {
            vec![ExtSection {
                name: section.to_string(),
                records: out,
            }]
        },
        core_relo: Vec::new(),
    };
    (btf, ext)
}

impl Btf {
    /// The blob and records `BPF_PROG_LOAD` takes for `ext`'s records (all its sections, as one
    /// program).
    pub fn encode_for_load(&self, ext: &BtfExt) -> KernelBtf {
        let mut strings = StringTable::new();
        let types = self.encode_types(&mut strings);
        let func_info = ext
            .func_info
            .iter()
            .flat_map(|s| &s.records)
            .map(|r| [r.insn, r.type_id])
            .collect();
        let line_info = ext
            .line_info
            .iter()
            .flat_map(|s| &s.records)
            .map(|r| {
                [
                    r.insn,
                    strings.add(&r.file),
                    strings.add(&r.text),
                    line_col(r.line, r.col),
                ]
            })
            .collect();
        KernelBtf {
            btf: super::encode::assemble(&types, &strings),
            func_info,
            line_info,
        }
    }
}
