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
//! - **Interpolated values** `{ text }` in an immediate (also of a compare, `if r1 > {MAX}
//!   goto drop`), a memory offset, or a 64-bit constant (`r1 = {ADDR} ll`): an [`ItemKind::Extern`] that only `defprogram!` fills.
//! - **Snippets** `name!(arg, ...)`: a statement expanded by [`crate::snippet::expand`]; each
//!   argument is a register, an integer (or named constant), or a name.
//! - `call pc+N` (a bpf-to-bpf call by distance), `call kfunc ID[, OFF]` (`src = 2`),
//!   `ld_pseudo rD, KIND, IMM, IMM2` (the second slot's `imm`): what the disassembler prints
//!   where LLVM's text would be ambiguous.
//! - The kernel verifier's and bpftool's spellings: `goto pc+N` / `if r1 > r2 goto pc-N` for a
//!   raw distance, and `call bpf_redirect_map#51` (the `#51` reads as a comment).
//! - 32-bit atomics (`lock *(u32 *)...`, `atomic_fetch_*((u32 *)...)`) also take `r`
//!   registers, as LLVM does for `lock ... += r2` (same encoding).
//! - Stricter than LLVM: registers beyond `r10`, immediates beyond 32 bits that are no sign
//!   extension of a 32-bit value (LLVM truncates `r1 = 0x100000000` to 0), and offsets beyond
//!   16 bits are errors.
//! - Directives that do not change the code (`.text`, `.globl`, `.p2align`, `.type`,
//!   `.size`, `.file`, `.addrsig`...) are skipped, so `clang -S` output of a single function
//!   assembles; others (`.section`, ...) are errors.
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

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;

use super::diag::{DiagKind, Diagnostic};
use super::lexer::{Lexer, Tok, Token};
use crate::isa::insn::{AluOp, AtomicOp, Class, Insn, JmpOp, Mode, Reg, Size, Source};
use crate::ir::{ExternField, ExternValue, Item, ItemKind, Span, Target};
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

#[path = "parser_llvm.rs"]
mod llvm;
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

impl<'a> StmtParser<'a> {
    fn peek(&self) -> Option<&'a Token<'a>> {
        self.toks.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&'a Tok<'a>> {
        self.toks.get(self.pos + n).map(|t| &t.tok)
    }

    fn here(&self) -> Span {
        self.peek()
            .map_or(Span::new(self.end, self.end), |t| t.span)
    }

    fn is_punct(&self, c: char) -> bool {
        self.peek_at(0) == Some(&Tok::Punct(c))
    }

    fn is_ident(&self, s: &str) -> bool {
        matches!(self.peek_at(0), Some(Tok::Ident(i)) if *i == s)
    }

    fn eat_punct(&mut self, c: char) -> bool {
        if self.is_punct(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn describe(&self) -> String {
        match self.peek().map(|t| &t.tok) {
            None | Some(Tok::Sep) => "end of statement".into(),
            Some(Tok::Ident(s)) => format!("`{s}`"),
            Some(Tok::Int(_)) => "a number".into(),
            Some(Tok::Punct(c)) => format!("`{c}`"),
            Some(Tok::Extern(s)) => format!("`{{{s}}}`"),
            Some(Tok::Str(s)) => format!("the string \"{s}\""),
        }
    }

    fn expected<T>(&self, what: &str) -> PResult<T> {
        err(
            DiagKind::Syntax,
            self.here(),
            format!("expected {what}, found {}", self.describe()),
        )
    }

    fn expect_punct(&mut self, c: char) -> PResult<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            self.expected(&format!("`{c}`"))
        }
    }

    fn expect_ident(&mut self, s: &str) -> PResult<()> {
        if self.is_ident(s) {
            self.pos += 1;
            Ok(())
        } else {
            self.expected(&format!("`{s}`"))
        }
    }

    fn expect_end(&self) -> PResult<()> {
        if self.peek().is_none() {
            Ok(())
        } else {
            // "unexpected number", not "unexpected a number".
            let what = self.describe();
            let what = what
                .strip_prefix("a ")
                .or_else(|| what.strip_prefix("the "))
                .unwrap_or(&what);
            err(
                DiagKind::Syntax,
                self.here(),
                format!(
                    "unexpected {what} after the end of the instruction (statements are separated by a newline or `;`)"
                ),
            )
        }
    }

    /// The span from token `from` to the last consumed token.
    fn span_from(&self, from: usize) -> Span {
        let first = self.toks.get(from).map_or(self.end, |t| t.span.start);
        let last = self
            .toks
            .get(self.pos.saturating_sub(1).max(from))
            .map_or(self.end, |t| t.span.end);
        Span::new(first, last.max(first))
    }

    // ----- registers -----

    fn is_reg(&self) -> bool {
        matches!(self.peek_at(0), Some(Tok::Ident(s)) if parse_reg_name(s).is_some())
    }

    fn reg(&mut self) -> PResult<RegOp> {
        let span = self.here();
        let Some(Tok::Ident(name)) = self.peek_at(0) else {
            return self.expected("a register (r0-r10 or w0-w10)");
        };
        let Some((wide, n)) = parse_reg_name(name) else {
            return self.expected("a register (r0-r10 or w0-w10)");
        };
        let reg = n.and_then(|n| u8::try_from(n).ok()).and_then(Reg::new);
        let Some(reg) = reg else {
            return err(
                DiagKind::BadRegister,
                span,
                format!("no register `{name}`: eBPF has r0-r10 (w0-w10 for their low 32 bits)"),
            );
        };
        self.pos += 1;
        Ok(RegOp { reg, wide, span })
    }

    fn reg_wide(&mut self, wide: bool, role: &str) -> PResult<RegOp> {
        let r = self.reg()?;
        if r.wide != wide {
            let want = if wide { 'r' } else { 'w' };
            return err(
                DiagKind::BadRegister,
                r.span,
                format!(
                    "{role} must be a {} register here (`{want}{}`), not `{}`",
                    if wide { "64-bit" } else { "32-bit" },
                    r.reg.num(),
                    r.name()
                ),
            );
        }
        Ok(r)
    }

    fn same_reg(&self, a: RegOp, b: RegOp, what: &str) -> PResult<()> {
        if a.reg != b.reg || a.wide != b.wide {
            return err(
                DiagKind::BadRegister,
                b.span,
                format!(
                    "{what} works in place: the source must be the destination `{}`, not `{}`",
                    a.name(),
                    b.name()
                ),
            );
        }
        Ok(())
    }

    // ----- values and constant expressions -----

    fn value(&mut self) -> PResult<Value> {
        if let Some(Token {
            tok: Tok::Extern(text),
            span,
        }) = self.peek()
        {
            self.pos += 1;
            return Ok(Value::Extern(text.to_string(), *span));
        }
        let start = self.pos;
        let v = self.expr(0)?;
        Ok(Value::Num(v, self.span_from(start)))
    }

    fn num(&mut self, what: &str) -> PResult<(i128, Span)> {
        match self.value()? {
            Value::Num(v, s) => Ok((v, s)),
            Value::Extern(name, s) => err(
                DiagKind::Syntax,
                s,
                format!("{what} cannot be an interpolated value `{{{name}}}`"),
            ),
        }
    }

    /// Precedence climbing over C's binary operators (`|` lowest to `* / %` highest).
    fn expr(&mut self, min_prec: u8) -> PResult<i128> {
        let mut lhs = self.unary()?;
        loop {
            let (op, prec, len) = match (self.peek_at(0), self.peek_at(1)) {
                (Some(Tok::Punct('|')), _) => ('|', 1, 1),
                (Some(Tok::Punct('^')), _) => ('^', 2, 1),
                (Some(Tok::Punct('&')), _) => ('&', 3, 1),
                (Some(Tok::Punct('<')), Some(Tok::Punct('<'))) => ('l', 4, 2),
                (Some(Tok::Punct('>')), Some(Tok::Punct('>'))) => ('r', 4, 2),
                (Some(Tok::Punct('+')), _) => ('+', 5, 1),
                (Some(Tok::Punct('-')), _) => ('-', 5, 1),
                (Some(Tok::Punct('*')), _) => ('*', 6, 1),
                (Some(Tok::Punct('/')), _) => ('/', 6, 1),
                (Some(Tok::Punct('%')), _) => ('%', 6, 1),
                _ => break,
            };
            // `x <<= ...` / `x |= ...` are not part of an expression.
            if self.peek_at(len) == Some(&Tok::Punct('=')) || prec < min_prec.max(1) {
                break;
            }
            let op_span = self.here();
            self.pos += len;
            let rhs = self.expr(prec + 1)?;
            let overflow = || {
                Diagnostic::new(
                    DiagKind::ImmediateRange,
                    Some(op_span),
                    "constant expression overflows or divides by zero",
                )
            };
            lhs = match op {
                '|' => lhs | rhs,
                '^' => lhs ^ rhs,
                '&' => lhs & rhs,
                'l' => u32::try_from(rhs)
                    .ok()
                    .filter(|&s| s < 64)
                    .and_then(|s| lhs.checked_shl(s))
                    .ok_or_else(overflow)?,
                'r' => u32::try_from(rhs)
                    .ok()
                    .filter(|&s| s < 64)
                    .map(|s| lhs >> s)
                    .ok_or_else(overflow)?,
                '+' => lhs.checked_add(rhs).ok_or_else(overflow)?,
                '-' => lhs.checked_sub(rhs).ok_or_else(overflow)?,
                '*' => lhs.checked_mul(rhs).ok_or_else(overflow)?,
                '/' => lhs.checked_div(rhs).ok_or_else(overflow)?,
                _ => lhs.checked_rem(rhs).ok_or_else(overflow)?,
            };
            if lhs.unsigned_abs() > u128::from(u64::MAX) {
                return Err(Box::new(overflow()));
            }
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> PResult<i128> {
        if self.depth >= MAX_EXPR_DEPTH {
            return err(
                DiagKind::Syntax,
                self.here(),
                format!("expression nested deeper than {MAX_EXPR_DEPTH} levels"),
            );
        }
        self.depth += 1;
        let v = self.unary_inner();
        self.depth -= 1;
        v
    }

    fn unary_inner(&mut self) -> PResult<i128> {
        if self.eat_punct('-') {
            return Ok(-self.unary()?);
        }
        if self.eat_punct('+') {
            return self.unary();
        }
        if self.eat_punct('~') {
            let v = self.unary()?;
            // Bitwise not within 64 bits, like C on a u64/i64.
            return Ok(if v < 0 { !v } else { i128::from(!(v as u64)) });
        }
        self.primary()
    }

    fn primary(&mut self) -> PResult<i128> {
        let span = self.here();
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Int(Some(v))) => {
                self.pos += 1;
                Ok(i128::from(*v))
            }
            Some(Tok::Int(None)) => err(
                DiagKind::ImmediateRange,
                span,
                "number does not fit in 64 bits",
            ),
            Some(Tok::Punct('(')) => {
                self.pos += 1;
                let v = self.expr(0)?;
                self.expect_punct(')')?;
                Ok(v)
            }
            Some(Tok::Ident(name)) if parse_reg_name(name).is_none() => {
                match crate::isa::consts::const_by_name(name) {
                    Some(v) => {
                        self.pos += 1;
                        Ok(i128::from(v))
                    }
                    None => err(
                        DiagKind::UnknownName,
                        span,
                        format!("unknown name `{name}`: not a named constant (see ebpf_dsl::consts); to load map `{name}` write `rN = {name} ll`"),
                    ),
                }
            }
            Some(Tok::Extern(_)) => err(
                DiagKind::Syntax,
                span,
                "an interpolated `{value}` must be the whole operand, not part of an expression",
            ),
            _ => self.expected("a number or a named constant"),
        }
    }

    /// `+ term`, `- term` or nothing, as in a memory operand `(r1 + 8)`. Returns the offset
    /// value, or an extern.
    fn mem_offset(&mut self) -> PResult<Option<Value>> {
        let neg = if self.eat_punct('+') {
            false
        } else if self.eat_punct('-') {
            true
        } else {
            return Ok(Some(Value::Num(0, self.here())));
        };
        let start = self.pos;
        if let Some(Token {
            tok: Tok::Extern(text),
            span,
        }) = self.peek()
        {
            self.pos += 1;
            if neg {
                return err(
                    DiagKind::Syntax,
                    *span,
                    "an interpolated offset is written `+ {value}` (put the sign in the value)",
                );
            }
            return Ok(Some(Value::Extern(text.to_string(), *span)));
        }
        let v = self.unary_term()?;
        let span = self.span_from(start.saturating_sub(1));
        Ok(Some(Value::Num(if neg { -v } else { v }, span)))
    }

    /// A single term: a number, a named constant, or a parenthesised expression.
    fn unary_term(&mut self) -> PResult<i128> {
        self.primary()
    }

    /// `(rN +/- off)` with the parentheses.
    fn mem_operand(&mut self) -> PResult<(RegOp, Value)> {
        self.expect_punct('(')?;
        let base = self.reg_wide(true, "the address register")?;
        let off = self.mem_offset()?.unwrap_or(Value::Num(0, base.span));
        self.expect_punct(')')?;
        Ok((base, off))
    }

    /// `rN +/- off` without parentheses (the xchg/cmpxchg address form).
    fn bare_mem(&mut self) -> PResult<(RegOp, Value)> {
        let base = self.reg_wide(true, "the address register")?;
        let off = self.mem_offset()?.unwrap_or(Value::Num(0, base.span));
        Ok((base, off))
    }

    /// `(u32 *)` -> the size, sign flag and span of the size word.
    fn size_cast(&mut self) -> PResult<(Size, bool, Span)> {
        self.expect_punct('(')?;
        let span = self.here();
        let Some(Tok::Ident(name)) = self.peek_at(0) else {
            return self.expected("a size (`u8`, `u16`, `u32`, `u64`, `s8`, `s16`, `s32`)");
        };
        let Some((size, signed)) = size_of(name) else {
            return self.expected("a size (`u8`, `u16`, `u32`, `u64`, `s8`, `s16`, `s32`)");
        };
        self.pos += 1;
        self.expect_punct('*')?;
        self.expect_punct(')')?;
        Ok((size, signed, span))
    }

    // ----- statements -----

    fn statement(&mut self, items: &mut Vec<Item>, unique: &mut usize) -> PResult<()> {
        if let Some(Tok::Ident(word)) = self.peek_at(0) {
            if let Some(size) = data_directive_size(word) {
                return self.data(size, items);
            }
        }
        self.cross.borrow_mut().data_must_be_whole()?;
        // Leading labels.
        loop {
            let name = match (self.peek(), self.peek_at(1)) {
                (
                    Some(Token {
                        tok: Tok::Ident(name),
                        ..
                    }),
                    Some(Tok::Punct(':')),
                ) => *name,
                (Some(t), Some(Tok::Punct(':'))) if numeric_label_number(t).is_some() => {
                    self.numeric_label_def(items);
                    continue;
                }
                _ => break,
            };
            let start = self.pos;
            if parse_reg_name(name).is_some() {
                return err(
                    DiagKind::Syntax,
                    self.here(),
                    format!("`{name}` is a register name and cannot be a label"),
                );
            }
            self.pos += 2;
            items.push(
                Item::new(ItemKind::Label(Cow::Owned(name.to_string())))
                    .with_span(self.span_from(start)),
            );
        }
        if self.peek().is_none() {
            return Ok(());
        }
        let start = self.pos;
        // Assembler directives (from `clang -S` output): the ones that do not change the code
        // are skipped, the rest are refused.
        if let Some(Tok::Ident(word)) = self.peek_at(0) {
            if word.starts_with('.') {
                return match *word {
                    ".text" | ".globl" | ".global" | ".p2align" | ".align" | ".type" | ".size"
                    | ".file" | ".addrsig" | ".addrsig_sym" | ".local" | ".hidden" => Ok(()),
                    _ => err(
                        DiagKind::UnknownInstruction,
                        self.here(),
                        format!(
                            "assembler directive `{word}` is not supported (one program of code per file; maps are declared with defmap! or MapSpec)"
                        ),
                    ),
                };
            }
        }
        // Snippets: `name!(args)`.
        if let (Some(Tok::Ident(name)), Some(Tok::Punct('!')), Some(Tok::Punct('('))) =
            (self.peek_at(0), self.peek_at(1), self.peek_at(2))
        {
            return self.snippet(name, items, unique);
        }
        let kind = self.instruction()?;
        self.expect_end()?;
        let span = self.span_from(start);
        items.push(Item::new(kind).with_span(span));
        Ok(())
    }

    fn snippet(&mut self, name: &str, items: &mut Vec<Item>, unique: &mut usize) -> PResult<()> {
        let start = self.pos;
        let name_span = self.here();
        self.pos += 3;
        let mut args = Vec::new();
        if !self.eat_punct(')') {
            loop {
                let arg = match self.peek_at(0) {
                    Some(Tok::Ident(_)) if self.is_reg() => SnippetArg::Reg(self.reg()?.reg),
                    Some(Tok::Ident(id))
                        if crate::isa::consts::const_by_name(id).is_none()
                            && matches!(self.peek_at(1), Some(Tok::Punct(',' | ')'))) =>
                    {
                        self.pos += 1;
                        SnippetArg::Ident(Cow::Owned(id.to_string()))
                    }
                    _ => {
                        let (v, span) = self.num("a snippet argument")?;
                        let v = i64::try_from(v).or_else(|_| {
                            err(
                                DiagKind::ImmediateRange,
                                span,
                                "snippet argument does not fit in 64 bits",
                            )
                        })?;
                        SnippetArg::Int(v)
                    }
                };
                args.push(arg);
                if self.eat_punct(')') {
                    break;
                }
                self.expect_punct(',')?;
            }
        }
        self.expect_end()?;
        let span = self.span_from(start);
        *unique += 1;
        match crate::snippet::expand(name, &args, *unique) {
            Ok(expanded) => {
                items.extend(expanded.into_iter().map(|it| it.with_span(span)));
                Ok(())
            }
            Err(e) => err(DiagKind::Snippet, name_span, e.to_string()),
        }
    }

    fn instruction(&mut self) -> PResult<ItemKind> {
        let span = self.here();
        let Some(tok) = self.peek() else {
            return self.expected("an instruction");
        };
        match &tok.tok {
            Tok::Punct('*') => return self.store(),
            Tok::Ident(_) if self.is_reg() => return self.reg_statement(),
            Tok::Ident(_) => {}
            _ => return self.expected("an instruction"),
        }
        let Tok::Ident(word) = &tok.tok else {
            return self.expected("an instruction");
        };
        self.pos += 1;
        match *word {
            "exit" => Ok(ItemKind::Insn(Insn::new(0x95, 0, 0, 0, 0))),
            "goto" => {
                let target = self.target(i128::from(i16::MIN), i128::from(i16::MAX))?;
                Ok(ItemKind::Jump {
                    insn: Insn::new(Class::Jmp as u8 | JmpOp::Ja as u8, 0, 0, 0, 0),
                    target,
                })
            }
            "gotol" => {
                let target = self.target(i128::from(i32::MIN), i128::from(i32::MAX))?;
                Ok(ItemKind::Jump {
                    insn: Insn::new(Class::Jmp32 as u8 | JmpOp::Ja as u8, 0, 0, 0, 0),
                    target,
                })
            }
            "may_goto" => {
                let target = self.target(i128::from(i16::MIN), i128::from(i16::MAX))?;
                // BPF_JMP | BPF_JCOND (0xe0), kernel 6.9.
                Ok(ItemKind::Jump {
                    insn: Insn::new(0xe5, 0, 0, 0, 0),
                    target,
                })
            }
            "call" => self.call(),
            "callx" => {
                let r = self.reg_wide(true, "the callx target")?;
                // LLVM encodes the register in the dst field.
                Ok(ItemKind::Insn(Insn::new(0x8d, r.reg.num(), 0, 0, 0)))
            }
            "if" => self.cond_jump(),
            "ld_pseudo" => self.ld_pseudo(),
            "lock" => self.lock_atomic(),
            _ if self.is_punct('!') => self.expected("`(` after the snippet name"),
            other => err(
                DiagKind::UnknownInstruction,
                span,
                format!("unknown instruction `{other}` (expected a register, `*(..)`, `if`, `goto`, `call`, `exit`, `lock`, a label `name:` or a snippet `name!(..)`)"),
            ),
        }
    }

    fn target(&mut self, min: i128, max: i128) -> PResult<Target> {
        // `goto pc+N`: the kernel verifier's and bpftool's spelling of a raw distance, unless
        // the program has a label called `pc`.
        if self.is_ident("pc")
            && !self.labels.contains("pc")
            && matches!(self.peek_at(1), Some(Tok::Punct('+' | '-')))
        {
            self.pos += 1;
        }
        let span = self.here();
        match self.peek_at(0) {
            Some(Tok::Ident(name)) if parse_reg_name(name).is_none() => {
                self.pos += 1;
                if !self.labels.contains(*name) && crate::isa::consts::const_by_name(name).is_some() {
                    return err(
                        DiagKind::Syntax,
                        span,
                        format!("jump target `{name}` is a named constant, not a label"),
                    );
                }
                Ok(Target::Label(Cow::Owned(name.to_string())))
            }
            Some(Tok::Int(Some(_))) if self.numeric_ref_direction().is_some() => {
                self.numeric_ref(span)
            }
            Some(Tok::Punct('+' | '-') | Tok::Int(_)) => {
                let neg = self.eat_punct('-');
                if !neg {
                    self.eat_punct('+');
                }
                let start = self.pos;
                let v = self.unary_term()?;
                let v = if neg { -v } else { v };
                let vspan = span.to(self.span_from(start));
                if !(min..=max).contains(&v) {
                    return err(
                        DiagKind::JumpRange,
                        vspan,
                        format!("jump distance {v} out of range ({min} to {max} instructions)"),
                    );
                }
                Ok(Target::Offset(v as i32))
            }
            _ => self.expected("a jump target (a label or `+N` / `-N`)"),
        }
    }

    fn call(&mut self) -> PResult<ItemKind> {
        let span = self.here();
        // `call pc+N`: a bpf-to-bpf call by raw distance (what the disassembler prints when it
        // knows no label).
        if self.is_ident("pc") && matches!(self.peek_at(1), Some(Tok::Punct('+' | '-'))) {
            self.pos += 1;
            let target = self.target(i128::from(i32::MIN), i128::from(i32::MAX))?;
            return Ok(ItemKind::Call { target });
        }
        // `call kfunc ID [, OFF]`: a kernel function by BTF id (`src = 2`), `off` selecting
        // the module BTF (fd_array index), 0 for vmlinux.
        if self.is_ident("kfunc") && !self.labels.contains("kfunc") {
            self.pos += 1;
            let (id, id_span) = self.num("a BTF id")?;
            let imm = imm32(id, id_span, "BTF id")?;
            let off = if self.eat_punct(',') {
                let (v, s) = self.num("a module BTF index")?;
                off16(v, s)?
            } else {
                0
            };
            return Ok(ItemKind::Insn(Insn::new(
                0x85,
                0,
                crate::isa::insn::BPF_PSEUDO_KFUNC_CALL,
                off,
                imm,
            )));
        }
        match self.peek_at(0) {
            // `call 1f` / `call 1b`: a bpf-to-bpf call to a numeric local label.
            Some(Tok::Int(Some(_))) if self.numeric_ref_direction().is_some() => {
                Ok(ItemKind::Call {
                    target: self.numeric_ref(span)?,
                })
            }
            Some(Tok::Ident(name)) if parse_reg_name(name).is_none() => {
                self.pos += 1;
                if self.labels.contains(*name) {
                    return Ok(ItemKind::Call {
                        target: Target::Label(Cow::Owned(name.to_string())),
                    });
                }
                if let Some(h) = crate::isa::helpers::helper_by_name(name) {
                    return Ok(ItemKind::Insn(Insn::new(0x85, 0, 0, 0, h.id as i32)));
                }
                err(
                    DiagKind::UnknownName,
                    span,
                    format!("`call {name}`: `{name}` is neither a kernel helper (see ebpf_dsl::helpers) nor a label in this program"),
                )
            }
            Some(Tok::Extern(_)) => match self.value()? {
                Value::Extern(name, _) => Ok(ItemKind::Extern {
                    insn: Insn::new(0x85, 0, 0, 0, 0),
                    field: ExternField::Imm32,
                    value: ExternValue {
                        name: Cow::Owned(name),
                    },
                }),
                Value::Num(..) => self.expected("a helper"),
            },
            _ => {
                let (v, vspan) = self.num("a helper number")?;
                let imm = imm32(v, vspan, "helper number")?;
                Ok(ItemKind::Insn(Insn::new(0x85, 0, 0, 0, imm)))
            }
        }
    }

    /// `ld_pseudo rD, KIND, IMM [, IMM2]`: an `ld_imm64` with `src = KIND` (a `BPF_PSEUDO_*`
    /// form given as numbers), `IMM` in the first slot and `IMM2` (default 0) in the second.
    /// LLVM's syntax, with the optional fourth operand as our extension.
    fn ld_pseudo(&mut self) -> PResult<ItemKind> {
        let dst = self.reg_wide(true, "the destination")?;
        self.expect_punct(',')?;
        let (kind, kspan) = self.num("the pseudo kind")?;
        let kind = u8::try_from(kind).ok().filter(|&k| k <= 15).map_or_else(
            || {
                err(
                    DiagKind::ImmediateRange,
                    kspan,
                    "the pseudo kind is a 4-bit `src` value (0 to 15; the kernel defines 1 to 6)",
                )
            },
            Ok,
        )?;
        self.expect_punct(',')?;
        let (lo, lspan) = self.num("an immediate")?;
        let lo = imm32(lo, lspan, "immediate")?;
        let hi = if self.eat_punct(',') {
            let (hi, hspan) = self.num("an immediate")?;
            imm32(hi, hspan, "immediate")?
        } else {
            0
        };
        Ok(ItemKind::LdImm64 {
            dst: dst.reg,
            src: kind,
            imm: (i64::from(hi) << 32) | i64::from(lo as u32),
        })
    }

    /// The comparison operator of `if`: returns the `JmpOp`.
    fn cmp_op(&mut self) -> PResult<JmpOp> {
        let span = self.here();
        let signed = self.is_ident("s");
        if signed {
            self.pos += 1;
        }
        let op = match (self.peek_at(0), self.peek_at(1)) {
            (Some(Tok::Punct('=')), Some(Tok::Punct('='))) if !signed => (JmpOp::Jeq, 2),
            (Some(Tok::Punct('!')), Some(Tok::Punct('='))) if !signed => (JmpOp::Jne, 2),
            (Some(Tok::Punct('>')), Some(Tok::Punct('='))) => {
                (if signed { JmpOp::Jsge } else { JmpOp::Jge }, 2)
            }
            (Some(Tok::Punct('<')), Some(Tok::Punct('='))) => {
                (if signed { JmpOp::Jsle } else { JmpOp::Jle }, 2)
            }
            (Some(Tok::Punct('>')), _) => (if signed { JmpOp::Jsgt } else { JmpOp::Jgt }, 1),
            (Some(Tok::Punct('<')), _) => (if signed { JmpOp::Jslt } else { JmpOp::Jlt }, 1),
            (Some(Tok::Punct('&')), _) if !signed => (JmpOp::Jset, 1),
            _ => {
                return err(
                    DiagKind::Syntax,
                    span,
                    format!(
                        "expected a comparison (`==`, `!=`, `>`, `>=`, `<`, `<=`, `s>`, `s>=`, `s<`, `s<=`, `&`), found {}",
                        self.describe()
                    ),
                )
            }
        };
        self.pos += op.1;
        Ok(op.0)
    }

    fn cond_jump(&mut self) -> PResult<ItemKind> {
        let dst = self.reg()?;
        let op = self.cmp_op()?;
        let class = if dst.wide { Class::Jmp } else { Class::Jmp32 };
        let (insn, ext) = if self.is_reg() {
            let src = self.reg_wide(dst.wide, "the compared register")?;
            (
                Insn::new(
                    class as u8 | op as u8 | Source::Reg as u8,
                    dst.reg.num(),
                    src.reg.num(),
                    0,
                    0,
                ),
                None,
            )
        } else {
            match self.value()? {
                Value::Num(v, s) => (
                    Insn::new(
                        class as u8 | op as u8,
                        dst.reg.num(),
                        0,
                        0,
                        imm32(v, s, "comparison immediate")?,
                    ),
                    None,
                ),
                Value::Extern(name, _) => (
                    Insn::new(class as u8 | op as u8, dst.reg.num(), 0, 0, 0),
                    Some(name),
                ),
            }
        };
        self.expect_ident("goto")?;
        let target = self.target(i128::from(i16::MIN), i128::from(i16::MAX))?;
        if let Some(name) = ext {
            return Ok(ItemKind::ExternJump {
                insn,
                target,
                value: ExternValue {
                    name: Cow::Owned(name),
                },
            });
        }
        Ok(ItemKind::Jump { insn, target })
    }

    /// Builds an instruction whose `off` and/or `imm` may be extern values.
    fn with_values(
        insn: Insn,
        off: Option<Value>,
        imm: Option<(Value, &str)>,
    ) -> PResult<ItemKind> {
        let mut insn = insn;
        let mut ext: Option<(ExternField, String, Span)> = None;
        if let Some(off) = off {
            match off {
                Value::Num(v, s) => insn.off = off16(v, s)?,
                Value::Extern(name, s) => ext = Some((ExternField::Off16, name, s)),
            }
        }
        if let Some((imm, what)) = imm {
            match imm {
                Value::Num(v, s) => insn.imm = imm32(v, s, what)?,
                Value::Extern(name, s) => {
                    if ext.is_some() {
                        return err(
                            DiagKind::Syntax,
                            s,
                            "only one interpolated `{value}` per instruction",
                        );
                    }
                    ext = Some((ExternField::Imm32, name, s));
                }
            }
        }
        Ok(match ext {
            None => ItemKind::Insn(insn),
            Some((field, name, _)) => ItemKind::Extern {
                insn,
                field,
                value: ExternValue {
                    name: Cow::Owned(name),
                },
            },
        })
    }

    /// `*(size *)(rN + off) = src`
    fn store(&mut self) -> PResult<ItemKind> {
        self.expect_punct('*')?;
        let (size, signed, size_span) = self.size_cast()?;
        if signed {
            return err(
                DiagKind::Syntax,
                size_span,
                "stores take `u8`, `u16`, `u32` or `u64`; sign extension only exists for loads",
            );
        }
        let (base, off) = self.mem_operand()?;
        self.expect_punct('=')?;
        if self.is_reg() {
            let src = self.reg()?;
            Self::need_wide_for(size, src, "store")?;
            let insn = Insn::new(
                Class::Stx as u8 | Mode::Mem as u8 | size as u8,
                base.reg.num(),
                src.reg.num(),
                0,
                0,
            );
            Self::with_values(insn, Some(off), None)
        } else {
            let v = self.value()?;
            let insn = Insn::new(
                Class::St as u8 | Mode::Mem as u8 | size as u8,
                base.reg.num(),
                0,
                0,
                0,
            );
            Self::with_values(insn, Some(off), Some((v, "stored immediate")))
        }
    }

    /// `lock *(size *)(rN + off) op= src`
    fn lock_atomic(&mut self) -> PResult<ItemKind> {
        self.expect_punct('*')?;
        let size = self.atomic_size()?;
        let (base, off) = self.mem_operand()?;
        let op_span = self.here();
        let op = match (self.peek_at(0), self.peek_at(1)) {
            (Some(Tok::Punct('+')), Some(Tok::Punct('='))) => AtomicOp::Add,
            (Some(Tok::Punct('|')), Some(Tok::Punct('='))) => AtomicOp::Or,
            (Some(Tok::Punct('&')), Some(Tok::Punct('='))) => AtomicOp::And,
            (Some(Tok::Punct('^')), Some(Tok::Punct('='))) => AtomicOp::Xor,
            _ => {
                return err(
                    DiagKind::Syntax,
                    op_span,
                    format!(
                        "expected an atomic operation (`+=`, `|=`, `&=`, `^=`), found {}",
                        self.describe()
                    ),
                )
            }
        };
        self.pos += 2;
        let src = self.reg()?;
        Self::atomic_item(size, base, off, src, op.imm(false))
    }

    /// The atomic instruction `op_imm` of `size` on `*(base + off)` with `src`, which must be a
    /// 64-bit register for a 64-bit operation (both atomic syntaxes end here).
    fn atomic_item(
        size: Size,
        base: RegOp,
        off: Value,
        src: RegOp,
        op_imm: i32,
    ) -> PResult<ItemKind> {
        Self::need_wide_for(size, src, "atomic")?;
        let insn = Insn::new(
            Class::Stx as u8 | Mode::Atomic as u8 | size as u8,
            base.reg.num(),
            src.reg.num(),
            0,
            op_imm,
        );
        Self::with_values(insn, Some(off), None)
    }

    /// Statements that start with a register.
    fn reg_statement(&mut self) -> PResult<ItemKind> {
        let dst = self.reg()?;
        let class = if dst.wide { Class::Alu64 } else { Class::Alu };
        // Compound assignment: `op=`.
        let op_span = self.here();
        let signed = self.is_ident("s");
        if signed {
            self.pos += 1;
        }
        let compound = match (self.peek_at(0), self.peek_at(1), self.peek_at(2)) {
            (Some(Tok::Punct('+')), Some(Tok::Punct('=')), _) => Some((AluOp::Add, 2)),
            (Some(Tok::Punct('-')), Some(Tok::Punct('=')), _) => Some((AluOp::Sub, 2)),
            (Some(Tok::Punct('*')), Some(Tok::Punct('=')), _) => Some((AluOp::Mul, 2)),
            (Some(Tok::Punct('/')), Some(Tok::Punct('=')), _) => Some((AluOp::Div, 2)),
            (Some(Tok::Punct('%')), Some(Tok::Punct('=')), _) => Some((AluOp::Mod, 2)),
            (Some(Tok::Punct('|')), Some(Tok::Punct('=')), _) => Some((AluOp::Or, 2)),
            (Some(Tok::Punct('&')), Some(Tok::Punct('=')), _) => Some((AluOp::And, 2)),
            (Some(Tok::Punct('^')), Some(Tok::Punct('=')), _) => Some((AluOp::Xor, 2)),
            (Some(Tok::Punct('<')), Some(Tok::Punct('<')), Some(Tok::Punct('='))) => {
                Some((AluOp::Lsh, 3))
            }
            (Some(Tok::Punct('>')), Some(Tok::Punct('>')), Some(Tok::Punct('='))) => {
                Some((if signed { AluOp::Arsh } else { AluOp::Rsh }, 3))
            }
            _ => None,
        };
        if let Some((op, len)) = compound {
            let signed_ok = matches!(op, AluOp::Div | AluOp::Mod | AluOp::Arsh);
            if signed && !signed_ok {
                return err(
                    DiagKind::Syntax,
                    op_span,
                    "only `s/=`, `s%=` and `s>>=` have a signed form",
                );
            }
            self.pos += len;
            // `s/=` and `s%=` are the v4 signed forms: off = 1.
            let off = i16::from(signed && matches!(op, AluOp::Div | AluOp::Mod));
            return if self.is_reg() {
                let src = self.reg_wide(dst.wide, "the source")?;
                Ok(ItemKind::Insn(Insn::new(
                    class as u8 | op as u8 | Source::Reg as u8,
                    dst.reg.num(),
                    src.reg.num(),
                    off,
                    0,
                )))
            } else {
                let v = self.value()?;
                let insn = Insn::new(class as u8 | op as u8, dst.reg.num(), 0, off, 0);
                Self::with_values(insn, None, Some((v, "immediate")))
            };
        }
        if signed {
            return err(
                DiagKind::Syntax,
                op_span,
                "expected `s/=`, `s%=` or `s>>=` after the register",
            );
        }
        if !self.eat_punct('=') {
            return self.expected("an assignment (`=`, `+=`, `-=`, ...)");
        }
        self.assignment(dst, class)
    }

    /// The right-hand side of `dst = ...`.
    fn assignment(&mut self, dst: RegOp, class: Class) -> PResult<ItemKind> {
        // Negation: `r1 = -r1`.
        if self.is_punct('-')
            && matches!(self.peek_at(1), Some(Tok::Ident(s)) if parse_reg_name(s).is_some())
        {
            self.pos += 1;
            let src = self.reg()?;
            self.same_reg(dst, src, "negation")?;
            return Ok(ItemKind::Insn(Insn::new(
                class as u8 | AluOp::Neg as u8,
                dst.reg.num(),
                0,
                0,
                0,
            )));
        }
        // Sign-extending move: `r1 = (s8)r2`.
        if self.is_punct('(') {
            if let Some(Tok::Ident(w)) = self.peek_at(1) {
                if let Some(bits) = match *w {
                    "s8" => Some(8),
                    "s16" => Some(16),
                    "s32" => Some(32),
                    _ => None,
                } {
                    let wspan = self.toks[self.pos + 1].span;
                    self.pos += 2;
                    self.expect_punct(')')?;
                    if !dst.wide && bits == 32 {
                        return err(
                            DiagKind::Syntax,
                            wspan,
                            "32-bit sign-extending moves take `(s8)` or `(s16)`",
                        );
                    }
                    let src = self.reg_wide(dst.wide, "the source")?;
                    return Ok(ItemKind::Insn(Insn::new(
                        class as u8 | AluOp::Mov as u8 | Source::Reg as u8,
                        dst.reg.num(),
                        src.reg.num(),
                        bits,
                        0,
                    )));
                }
            }
        }
        // Loads: `r1 = *(u32 *)(r2 + 4)` and `r0 = *(u8 *)skb[..]`.
        if self.is_punct('*') {
            return self.load(dst);
        }
        if let Some(Tok::Ident(word)) = self.peek_at(0) {
            let word: &str = word;
            // Byte swaps.
            let swap = match word {
                "be16" => Some((0xdc, 16)),
                "be32" => Some((0xdc, 32)),
                "be64" => Some((0xdc, 64)),
                "le16" => Some((0xd4, 16)),
                "le32" => Some((0xd4, 32)),
                "le64" => Some((0xd4, 64)),
                "bswap16" => Some((0xd7, 16)),
                "bswap32" => Some((0xd7, 32)),
                "bswap64" => Some((0xd7, 64)),
                _ => None,
            };
            if let Some((code, bits)) = swap {
                self.pos += 1;
                if !dst.wide {
                    return err(
                        DiagKind::BadRegister,
                        dst.span,
                        format!(
                            "byte swaps operate on 64-bit registers: write `r{0} = {word} r{0}`",
                            dst.reg.num()
                        ),
                    );
                }
                let src = self.reg()?;
                self.same_reg(dst, src, "a byte swap")?;
                return Ok(ItemKind::Insn(Insn::new(code, dst.reg.num(), 0, 0, bits)));
            }
            if self.peek_at(1) == Some(&Tok::Punct('(')) {
                match word {
                    "atomic_fetch_add" | "atomic_fetch_or" | "atomic_fetch_and"
                    | "atomic_fetch_xor" => return self.fetch_atomic(dst, word),
                    "xchg_64" | "xchg32_32" | "cmpxchg_64" | "cmpxchg32_32" => {
                        return self.xchg(dst, word)
                    }
                    "addr_space_cast" => return self.addr_space_cast(dst),
                    "map_value" => return self.map_value(dst),
                    _ => {}
                }
            }
            // `r1 = name ll` naming a map.
            if parse_reg_name(word).is_none()
                && crate::isa::consts::const_by_name(word).is_none()
                && self.peek_at(1) == Some(&Tok::Ident("ll"))
            {
                self.pos += 2;
                self.need_wide_ld(dst)?;
                return Ok(ItemKind::MapRef {
                    dst: dst.reg,
                    map: Cow::Owned(word.to_string()),
                    kind: RelocKind::MapFd,
                });
            }
        }
        // Register move.
        if self.is_reg() {
            let src = self.reg_wide(dst.wide, "the source")?;
            return Ok(ItemKind::Insn(Insn::new(
                class as u8 | AluOp::Mov as u8 | Source::Reg as u8,
                dst.reg.num(),
                src.reg.num(),
                0,
                0,
            )));
        }
        // Immediates: `r1 = 5`, `r1 = 5 ll`.
        let v = self.value()?;
        if self.is_ident("ll") {
            self.pos += 1;
            self.need_wide_ld(dst)?;
            return match v {
                Value::Num(n, s) => {
                    if !(i128::from(i64::MIN)..=i128::from(u64::MAX)).contains(&n) {
                        return err(
                            DiagKind::ImmediateRange,
                            s,
                            format!("{n} does not fit in 64 bits"),
                        );
                    }
                    Ok(ItemKind::LdImm64 {
                        dst: dst.reg,
                        src: 0,
                        imm: n as u64 as i64,
                    })
                }
                Value::Extern(name, _) => Ok(ItemKind::Extern {
                    insn: Insn::new(0x18, dst.reg.num(), 0, 0, 0),
                    field: ExternField::Imm64,
                    value: ExternValue {
                        name: Cow::Owned(name),
                    },
                }),
            };
        }
        let insn = Insn::new(class as u8 | AluOp::Mov as u8, dst.reg.num(), 0, 0, 0);
        Self::with_values(insn, None, Some((v, "immediate")))
    }

    /// A `size` access through register `r` (`what`: "load", "store", "atomic"): a 64-bit one
    /// needs a 64-bit register.
    fn need_wide_for(size: Size, r: RegOp, what: &str) -> PResult<()> {
        if size == Size::DW && !r.wide {
            return err(
                DiagKind::BadRegister,
                r.span,
                format!(
                    "a 64-bit {what} needs a 64-bit register (`r{}`)",
                    r.reg.num()
                ),
            );
        }
        Ok(())
    }

    /// The `(u32 *)`/`(u64 *)` cast of an atomic operation.
    fn atomic_size(&mut self) -> PResult<Size> {
        let (size, signed, size_span) = self.size_cast()?;
        if signed || !matches!(size, Size::W | Size::DW) {
            return err(
                DiagKind::Syntax,
                size_span,
                "atomic operations are 32-bit (`u32`) or 64-bit (`u64`)",
            );
        }
        Ok(size)
    }

    fn need_wide_ld(&self, dst: RegOp) -> PResult<()> {
        if dst.wide {
            Ok(())
        } else {
            err(
                DiagKind::BadRegister,
                dst.span,
                format!(
                    "a 64-bit load (`ll`) needs a 64-bit register (`r{}`)",
                    dst.reg.num()
                ),
            )
        }
    }

    fn load(&mut self, dst: RegOp) -> PResult<ItemKind> {
        self.expect_punct('*')?;
        let (size, signed, size_span) = self.size_cast()?;
        if self.is_ident("skb") {
            self.pos += 1;
            if size == Size::DW || signed {
                return err(
                    DiagKind::Syntax,
                    size_span,
                    "legacy packet loads take `u8`, `u16` or `u32`",
                );
            }
            if dst.reg != Reg::R0 || !dst.wide {
                return err(
                    DiagKind::BadRegister,
                    dst.span,
                    "legacy packet loads (`skb[..]`) always write `r0`",
                );
            }
            self.expect_punct('[')?;
            let kind = if self.is_reg() {
                let src = self.reg_wide(true, "the packet offset register")?;
                let imm = self.mem_offset()?.unwrap_or(Value::Num(0, src.span));
                let insn = Insn::new(
                    Class::Ld as u8 | Mode::Ind as u8 | size as u8,
                    0,
                    src.reg.num(),
                    0,
                    0,
                );
                Self::with_values(insn, None, Some((imm, "packet offset")))?
            } else {
                let v = self.value()?;
                let insn = Insn::new(Class::Ld as u8 | Mode::Abs as u8 | size as u8, 0, 0, 0, 0);
                Self::with_values(insn, None, Some((v, "packet offset")))?
            };
            self.expect_punct(']')?;
            return Ok(kind);
        }
        let (base, off) = self.mem_operand()?;
        if signed && !dst.wide {
            return err(
                DiagKind::BadRegister,
                dst.span,
                format!(
                    "sign-extending loads write a 64-bit register (`r{}`)",
                    dst.reg.num()
                ),
            );
        }
        Self::need_wide_for(size, dst, "load")?;
        let mode = if signed { Mode::MemSx } else { Mode::Mem };
        let insn = Insn::new(
            Class::Ldx as u8 | mode as u8 | size as u8,
            dst.reg.num(),
            base.reg.num(),
            0,
            0,
        );
        Self::with_values(insn, Some(off), None)
    }

    /// `dst = atomic_fetch_op((size *)(rN + off), dst)`
    fn fetch_atomic(&mut self, dst: RegOp, word: &str) -> PResult<ItemKind> {
        let op = match word {
            "atomic_fetch_add" => AtomicOp::Add,
            "atomic_fetch_or" => AtomicOp::Or,
            "atomic_fetch_and" => AtomicOp::And,
            _ => AtomicOp::Xor,
        };
        self.pos += 1;
        self.expect_punct('(')?;
        let size = self.atomic_size()?;
        let (base, off) = self.mem_operand()?;
        self.expect_punct(',')?;
        let src = self.reg()?;
        self.expect_punct(')')?;
        self.same_reg(dst, src, "an atomic fetch")?;
        Self::atomic_item(size, base, off, src, op.imm(true))
    }

    /// `dst = xchg_64(rN + off, dst)`, `r0 = cmpxchg_64(rN + off, r0, src)` and the 32-bit forms.
    fn xchg(&mut self, dst: RegOp, word: &str) -> PResult<ItemKind> {
        let wide = word.ends_with("_64");
        let cmp = word.starts_with("cmpxchg");
        self.pos += 1;
        self.expect_punct('(')?;
        if dst.wide != wide {
            return err(
                DiagKind::BadRegister,
                dst.span,
                format!(
                    "`{word}` writes a {} register",
                    if wide { "64-bit `r`" } else { "32-bit `w`" }
                ),
            );
        }
        let (base, off) = self.bare_mem()?;
        self.expect_punct(',')?;
        let size = if wide { Size::DW } else { Size::W };
        let src = if cmp {
            if dst.reg != Reg::R0 {
                return err(
                    DiagKind::BadRegister,
                    dst.span,
                    "compare-and-exchange returns the old value in r0: write `r0 = cmpxchg_64(..)` / `w0 = cmpxchg32_32(..)`",
                );
            }
            let expected = self.reg_wide(wide, "the expected value")?;
            if expected.reg != Reg::R0 {
                return err(
                    DiagKind::BadRegister,
                    expected.span,
                    "compare-and-exchange compares with r0: the second argument must be r0/w0",
                );
            }
            self.expect_punct(',')?;
            self.reg_wide(wide, "the new value")?
        } else {
            let src = self.reg_wide(wide, "the new value")?;
            self.same_reg(dst, src, "an exchange")?;
            src
        };
        self.expect_punct(')')?;
        let op = if cmp {
            AtomicOp::Cmpxchg
        } else {
            AtomicOp::Xchg
        };
        let insn = Insn::new(
            Class::Stx as u8 | Mode::Atomic as u8 | size as u8,
            base.reg.num(),
            src.reg.num(),
            0,
            op.imm(true),
        );
        Self::with_values(insn, Some(off), None)
    }

    /// `dst = addr_space_cast(src, dst_as, src_as)` (arena pointers, kernel 6.9).
    fn addr_space_cast(&mut self, dst: RegOp) -> PResult<ItemKind> {
        self.pos += 1;
        self.expect_punct('(')?;
        if !dst.wide {
            return err(
                DiagKind::BadRegister,
                dst.span,
                "addr_space_cast writes a 64-bit register",
            );
        }
        let src = self.reg_wide(true, "the source")?;
        self.expect_punct(',')?;
        let (a, aspan) = self.num("an address space")?;
        self.expect_punct(',')?;
        let (b, bspan) = self.num("an address space")?;
        self.expect_punct(')')?;
        let check = |v: i128, s: Span| -> PResult<i32> {
            if (0..=0xffff).contains(&v) {
                Ok(v as i32)
            } else {
                err(
                    DiagKind::ImmediateRange,
                    s,
                    "an address space number is 0 to 65535",
                )
            }
        };
        let imm = (check(a, aspan)? << 16) | check(b, bspan)?;
        Ok(ItemKind::Insn(Insn::new(
            0xbf,
            dst.reg.num(),
            src.reg.num(),
            1,
            imm,
        )))
    }

    /// `dst = map_value(map, offset) ll`
    fn map_value(&mut self, dst: RegOp) -> PResult<ItemKind> {
        self.pos += 1;
        self.expect_punct('(')?;
        let Some(Tok::Ident(name)) = self.peek_at(0) else {
            return self.expected("a map name");
        };
        if parse_reg_name(name).is_some() {
            return self.expected("a map name");
        }
        let name = name.to_string();
        self.pos += 1;
        let offset = if self.eat_punct(',') {
            let (v, s) = self.num("a map value offset")?;
            u32::try_from(v).or_else(|_| {
                err(
                    DiagKind::ImmediateRange,
                    s,
                    "a map value offset is 0 to 4294967295",
                )
            })?
        } else {
            0
        };
        self.expect_punct(')')?;
        if !self.is_ident("ll") {
            return self.expected("`ll` (a map value address is a 64-bit load)");
        }
        self.pos += 1;
        self.need_wide_ld(dst)?;
        Ok(ItemKind::MapRef {
            dst: dst.reg,
            map: Cow::Owned(name),
            kind: RelocKind::MapValue { offset },
        })
    }
}
