//! The parser: tokens to [`Item`]s, one statement at a time.
//!
//! # Grammar
//!
//! Everything `llvm-mc-19 -triple bpfel -mcpu=v4` accepts for BPF, with the same encoding:
//!
//! ```text
//! r1 += r2        w1 -= 5        r1 s/= r2       w1 s%= 3       r1 s>>= 2     (all ALU ops)
//! r1 = r2         w1 = 5         r1 = -r1        r1 = (s8)r2    w1 = (s16)w2  (mov, neg, movsx)
//! r1 = be16 r1    r1 = le64 r1   r1 = bswap32 r1                              (byte swaps)
//! r1 = *(u32 *)(r2 + 8)          w1 = *(u8 *)(r2 - 1)          r1 = *(s16 *)(r2 + 0)
//! *(u64 *)(r10 - 8) = r1         *(u32 *)(r1 + 4) = 5           *(u8 *)(r1 + 0) = w2
//! r1 = 0x1122334455667788 ll     r0 = *(u8 *)skb[23]            r0 = *(u16 *)skb[r1]
//! lock *(u64 *)(r1 + 0) += r2    (also |= &= ^=; u32 with w registers)
//! w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)   (also _or _and _xor)
//! r2 = xchg_64(r1 + 0, r2)       w2 = xchg32_32(r1 + 0, w2)
//! r0 = cmpxchg_64(r1 + 0, r0, r2) w0 = cmpxchg32_32(r1 + 0, w0, w2)
//! w0 = load_acquire((u8 *)(r1 + 0))   r0 = load_acquire((u64 *)(r1 + 0))   (Linux 6.15)
//! store_release((u16 *)(r1 + 0), w2)  store_release((u64 *)(r1 + 0), r2)  (Linux 6.15)
//! r1 = addr_space_cast(r2, 1, 0)
//! if r1 > r2 goto +3             if w1 s< -5 goto LBL          (== != > >= < <= s> s>= s< s<= &)
//! goto +2        gotol LBL       may_goto +1    call 1    call bpf_redirect_map
//! call my_func   callx r1        exit           ld_pseudo r1, 2, 5
//! LBL:
//! ```
//!
//! # Extensions
//!
//! - **Labels** `name:` as jump and call targets (LLVM symbols); several per line allowed.
//! - **Helper names** in `call` (`call bpf_redirect_map`, or `call redirect_map`); a name that
//!   is defined as a label in the program is a bpf-to-bpf call instead.
//! - **Named constants** ([`crate::isa::consts`]) and **constant expressions** wherever an immediate
//!   goes: `r0 = XDP_PASS`, `r1 = 1 << 4 | 3`, `if r2 != (ETH_P_IP_BE) goto out`
//!   (`+ - * / % << >> & | ^`, unary `-`, `~`, parentheses, C precedence). Memory offsets and
//!   jump distances take a single (possibly parenthesised) term after their sign.
//! - **Map references**: `r1 = xsks ll` loads map `xsks` (`BPF_PSEUDO_MAP_FD`); and
//!   `r1 = map_value(counters, 8) ll` loads the address of byte 8 of the value of key 0 of array
//!   map `counters` (`BPF_PSEUDO_MAP_VALUE`). Both become relocations. A name that is a named
//!   constant is a constant, not a map.
//! - **Callbacks**: `r2 = loop_cb ll`, where `loop_cb` is a label of the program, loads the
//!   address of the function at that label (`BPF_PSEUDO_FUNC`), the callback argument of
//!   `bpf_loop`, `bpf_for_each_map_elem`, ... (LLVM's symbol form: a name that is a label is a
//!   function, not a map).
//! - **Interpolated values** `{ text }` in an immediate (also of a compare, `if r1 > {MAX}
//!   goto drop`), a memory offset, or a 64-bit constant (`r1 = {ADDR} ll`): an [`ItemKind::Extern`] that only `defprogram!` fills.
//! - **Snippets** `name!(arg, ...)`: a statement expanded by [`crate::snippet::expand`]; each
//!   argument is a register, an integer (or named constant), or a name.
//! - `call pc+N` (a bpf-to-bpf call by distance), `call kfunc ID[, OFF]` (`src = 2`),
//!   `ld_pseudo rD, KIND, IMM, IMM2` (the second slot's `imm`): what the disassembler prints
//!   where LLVM's text would be ambiguous.
//! - `r1 = w2`: what `clang -S` prints for its 32-bit move whose result is used as 64 bits
//!   (LLVM's MOV_32_64, which llvm-mc does not parse back); the 32-bit move `w1 = w2`, the
//!   encoding `clang -c` gives it.
//! - The kernel verifier's and bpftool's spellings: `goto pc+N` / `if r1 > r2 goto pc-N` for a
//!   raw distance, and `call bpf_redirect_map#51` (the `#51` reads as a comment).
//! - 32-bit atomics (`lock *(u32 *)...`, `atomic_fetch_*((u32 *)...)`) also take `r`
//!   registers, as LLVM does for `lock ... += r2` (same encoding).
//! - Stricter than LLVM: registers beyond `r10`, immediates beyond 32 bits that are no sign
//!   extension of a 32-bit value (LLVM truncates `r1 = 0x100000000` to 0), and offsets beyond
//!   16 bits are errors.
//! - Directives that do not change the code (`.text`, `.globl`, `.p2align`, `.type`,
//!   `.size`, `.file`, `.addrsig`...) are skipped, so `clang -S` output of a single function
//!   assembles; others are errors.
//! - **Section** `.section NAME` ([`crate::asm::section`]): the program's ELF section
//!   (`xdp.frags`, `xdp/devmap`, ...), an [`ItemKind::Section`], no instruction.
//! - **Global functions** `.global_func NAME(ARG, ...)` ([`crate::asm::globaldecl`]): an
//!   [`ItemKind::GlobalFunc`], no instruction.
//! - **Map declarations** `.map NAME TYPE key=.. value=.. [max_entries=..] [flags=..]
//!   [init=HEX]` ([`crate::asm::mapdecl`]): an [`ItemKind::Map`], no instruction.
//! - Raw data as LLVM takes it: `.byte`, `.2byte` (`.short`, `.value`), `.4byte` (`.long`,
//!   `.int`), `.8byte` (`.quad`), each a comma-separated list of constant expressions, stored
//!   little endian into the instruction stream. Stricter than LLVM: the data between two
//!   instructions (or labels, or the end) must fill whole 8-byte slots.
//! - Numeric local labels (GNU as): `1:` may be defined any number of times; `goto 1f` goes to
//!   the next definition after the statement, `goto 1b` to the latest one at or before it.
//! - Integer suffixes as LLVM skips them: `u`, `l`, `ll`, `ul`, `ull` in any case (`5ULL` is 5;
//!   `5 ll`, with a space, is the `ld_imm64` marker).
//! - A 64-bit immediate that is the sign extension of a 32-bit one (`r1 = 0xffffffffffffff00`)
//!   is taken as that 32-bit value (`-256`), as LLVM encodes it.
//! - `gotol` takes a 32-bit distance (LLVM 19 limits the numeric form to 16 bits); the legacy
//!   packet load takes `skb[r1 + 4]` (the kernel verifier's form, `BPF_IND` with an `imm`);
//!   `_` is allowed as a digit separator; `0o17` octal.
//!
//! Statements end at a newline or `;`; whitespace between tokens never matters.
//!
//! Files, one per construct, each an `impl` block of the statement parser: `cursor` (tokens,
//! registers), `expr` (values, constant expressions, memory operands), `statement` (labels,
//! snippets, dispatch), `jump` (`goto`, conditional jumps, `call`), `alu` (`dst op= src`,
//! moves, byte swaps), `memory` (loads, stores, atomics, `ld_imm64`), `llvm` (data directives
//! and numeric labels).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;

use super::diag::{DiagKind, Diagnostic};
use super::lexer::{Lexer, Tok, Token};
use crate::ir::{ExternField, ExternValue, Item, ItemKind, Span, Target};
use crate::isa::insn::{AluOp, AtomicOp, Class, Insn, JmpOp, Mode, Reg, Size, Source};
use crate::snippet::SnippetArg;
use crate::spec::RelocKind;

/// Parses `src` into symbolic items. Every error of every statement is reported.
pub fn parse(src: &str) -> Result<Vec<Item>, Vec<Diagnostic>> {
    let (items, errs) = parse_partial(src);
    if errs.is_empty() {
        Ok(items)
    } else {
        Err(errs)
    }
}

/// Parses `src`, returning the items of every statement that parsed and the errors of those
/// that did not (so that later stages can still report their own findings).
pub fn parse_partial(src: &str) -> (Vec<Item>, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let errs = parse_each(src, |item| items.push(item));
    (items, errs)
}

/// Parses `src` statement by statement, handing each item to `sink` as soon as its statement is
/// parsed (memory stays proportional to one statement, not to the text); returns the errors of
/// the statements that did not parse, in source order.
pub fn parse_each(src: &str, mut sink: impl FnMut(Item)) -> Vec<Diagnostic> {
    let mut toks = Vec::new();
    // Labels first, so that `call name` knows whether `name` is a local function.
    let mut labels = HashSet::new();
    let mut cross = CrossState::default();
    let mut lexer = Lexer::new(src);
    let mut ignored = Vec::new();
    while lexer.next_statement(&mut toks, &mut ignored) {
        ignored.clear();
        let mut i = 0;
        loop {
            match (toks.get(i), toks.get(i + 1).map(|t| &t.tok)) {
                (
                    Some(Token {
                        tok: Tok::Ident(name),
                        ..
                    }),
                    Some(Tok::Punct(':')),
                ) => {
                    labels.insert(*name);
                }
                (Some(t), Some(Tok::Punct(':'))) if numeric_label_number(t).is_some() => {
                    if let Some(n) = numeric_label_number(t) {
                        cross.numeric.entry(n).or_default().0 += 1;
                    }
                }
                _ => break,
            }
            i += 2;
        }
    }
    let cross = RefCell::new(cross);
    let mut errs = Vec::new();
    let mut lexer = Lexer::new(src);
    let mut items = Vec::new();
    let mut unique = 0;
    while lexer.next_statement(&mut toks, &mut errs) {
        if toks.is_empty() {
            continue;
        }
        let mut p = StmtParser {
            src,
            toks: &toks,
            pos: 0,
            labels: &labels,
            cross: &cross,
            end: toks.last().map_or(0, |t| t.span.end),
            depth: 0,
        };
        if let Err(e) = p.statement(&mut items, &mut unique) {
            errs.push(*e);
        }
        for item in items.drain(..) {
            sink(item);
        }
    }
    if let Err(e) = cross.borrow_mut().data_must_be_whole() {
        errs.push(*e);
    }
    errs.sort_by_key(|d| d.span.map(|s| s.start));
    errs
}

mod alu;
mod cursor;
mod expr;
mod jump;
mod llvm;
mod memory;
mod statement;
use llvm::{data_directive_size, numeric_label_number, CrossState};

/// Errors are boxed so that the `Ok` path moves small results.
type PResult<T> = Result<T, Box<Diagnostic>>;

fn err<T>(kind: DiagKind, span: Span, msg: impl Into<String>) -> PResult<T> {
    Err(Box::new(Diagnostic::new(kind, Some(span), msg)))
}

/// A parsed register operand: its number and whether it was written as `wN` (32-bit).
#[derive(Clone, Copy, Debug)]
struct RegOp {
    reg: Reg,
    wide: bool,
    span: Span,
}

impl RegOp {
    fn name(&self) -> String {
        format!("{}{}", if self.wide { 'r' } else { 'w' }, self.reg.num())
    }
}

/// A value operand: a number known now, or an interpolated value.
#[derive(Clone, Debug)]
enum Value {
    Num(i128, Span),
    Extern(String, Span),
}

const IMM32_MIN: i128 = -(1 << 31);
const IMM32_MAX: i128 = (1 << 32) - 1;

/// The 64-bit values that are the sign extension of a 32-bit one and above `u32::MAX`
/// (`0xffffffff80000000` to `0xffffffffffffffff`), as an unsigned 64-bit literal.
const SEXT32_MIN: i128 = (1 << 64) - (1 << 31);
const U64_MAX: i128 = u64::MAX as i128;

/// A 32-bit immediate the way LLVM takes it: -2^31..2^32-1, values above `i32::MAX` wrapping
/// to their two's-complement bit pattern; also a 64-bit value that is the sign extension of a
/// 32-bit one (`r1 = 0xffffffffffffff00` is `r1 = -256`, which LLVM encodes the same way; the
/// CPU sign-extends the `imm` back to that 64-bit value).
fn imm32(v: i128, span: Span, what: &str) -> PResult<i32> {
    if (IMM32_MIN..=IMM32_MAX).contains(&v) {
        Ok(v as u32 as i32)
    } else if (SEXT32_MIN..=U64_MAX).contains(&v) {
        Ok(v as u64 as i64 as i32)
    } else {
        err(
            DiagKind::ImmediateRange,
            span,
            format!("{what} {v} does not fit in 32 bits (allowed: -2147483648 to 4294967295)"),
        )
    }
}

fn off16(v: i128, span: Span) -> PResult<i16> {
    i16::try_from(v).or_else(|_| {
        err(
            DiagKind::OffsetRange,
            span,
            format!("offset {v} does not fit the signed 16-bit offset field (-32768 to 32767)"),
        )
    })
}

/// Memory size names: `u8`..`u64` and the sign-extending `s8`..`s32`.
fn size_of(name: &str) -> Option<(Size, bool)> {
    Some(match name {
        "u8" => (Size::B, false),
        "u16" => (Size::H, false),
        "u32" => (Size::W, false),
        "u64" => (Size::DW, false),
        "s8" => (Size::B, true),
        "s16" => (Size::H, true),
        "s32" => (Size::W, true),
        _ => return None,
    })
}

fn parse_reg_name(name: &str) -> Option<(bool, Option<u32>)> {
    let (wide, digits) = if let Some(d) = name.strip_prefix('r') {
        (true, d)
    } else {
        (false, name.strip_prefix('w')?)
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((wide, digits.parse::<u32>().ok()))
}

struct StmtParser<'a> {
    /// The whole text (token spans index it).
    src: &'a str,
    toks: &'a [Token<'a>],
    pos: usize,
    labels: &'a HashSet<&'a str>,
    cross: &'a RefCell<CrossState>,
    /// End of the statement's last token (for "missing operand" errors).
    end: usize,
    /// Nesting depth of the expression being parsed (bounded, so hostile input cannot
    /// overflow the stack).
    depth: usize,
}

/// The deepest nesting of parentheses and unary operators an expression may have.
const MAX_EXPR_DEPTH: usize = 64;
