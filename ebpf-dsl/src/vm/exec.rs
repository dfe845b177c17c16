//! The fast path's loop: runs [`Op`]s from a slot until a slow one (or a run that would pass
//! the instruction budget), one `match` per instruction. The arithmetic is `alu`'s, with the
//! operation a constant in each arm; memory goes through [`Memory::load_fast`] /
//! [`Memory::store_fast`] and, when they decline, the checked [`Memory::load`] /
//! [`Memory::store`], which give the exact error.

use crate::decode::{AluBinOp as A, JmpCond as J};

use super::alu::{alu32, alu64, cond, sext};
use super::error::VmErrorKind;
use super::fast::{Code, Op};
use super::memory::Memory;

/// Why the fast path stopped at `*pc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The slot is slow, or its run would pass the limit: the general path runs it (and
    /// counts it).
    Slow,
    /// An `exit` (counted).
    Exit,
    /// A helper call (counted).
    Call(i32),
}

/// Runs the fast path from `*pc` with `*steps` instructions done so far out of `limit`.
/// Returns where it stopped and why (`*pc` is that slot, `*steps` counts everything executed
/// and charged), or with the error of the instruction at `*pc`.
///
/// Inlined into the interpreter's loop. Beware when measuring: the code layout LLVM picks for
/// this one big `match` moved the loops' timings by 20-40 % between builds of unrelated
/// changes (out of line it was no steadier, and slower); compare builds over several runs, and
/// count instructions (callgrind) to tell the layout from the work. One layout hazard is gone:
/// `pc` advances at the dispatch, so the arms have no shared tail whose placement decides
/// whether each instruction costs one more taken jump. The error is boxed so that the result
/// stays small.
#[inline(always)]
pub(crate) fn run(
    code: &Code,
    regs: &mut [u64; 16],
    mem: &mut Memory,
    pc_io: &mut usize,
    steps_io: &mut u64,
    limit: u64,
) -> Result<Stop, Box<VmErrorKind>> {
    let ops: &[Op] = &code.ops;
    let costs: &[u32] = &code.costs;
    let mut pc = *pc_io;
    let mut steps = *steps_io;
    // Enters the straight run at `pc`, or leaves it to the general path.
    macro_rules! enter {
        () => {{
            let c = costs.get(pc).copied().unwrap_or(0) as u64;
            if c == 0 || steps + c > limit {
                *pc_io = pc;
                *steps_io = steps;
                return Ok(Stop::Slow);
            }
            steps += c;
        }};
    }
    macro_rules! r {
        ($x:expr) => {
            regs[$x as usize & 15]
        };
    }
    // `pc` is already the next slot (the loop advances it before the `match`).
    macro_rules! set {
        ($d:expr, $v:expr) => {{
            let v = $v;
            r!($d) = v;
        }};
    }
    macro_rules! jump {
        ($taken:expr, $t:expr) => {{
            if $taken {
                pc = $t as usize;
            }
            enter!();
        }};
    }
    // `dst += add` (one instruction), then the jump after it (the next).
    macro_rules! add_jump {
        ($d:expr, $a:expr, $t:expr, $cond:expr) => {{
            let v = r!($d).wrapping_add($a as i64 as u64);
            r!($d) = v;
            pc += 1;
            jump!($cond(v), $t);
        }};
    }
    macro_rules! fail {
        ($k:expr) => {{
            *pc_io = pc - 1;
            *steps_io = steps;
            return Err(Box::new($k));
        }};
    }
    macro_rules! load {
        ($d:expr, $s:expr, $off:expr, $n:literal) => {{
            let addr = r!($s).wrapping_add($off as i64 as u64);
            match mem.load_fast(addr, $n) {
                Some(v) => v,
                None => match mem.load(addr, $n) {
                    Ok(v) => v,
                    Err(k) => fail!(k),
                },
            }
        }};
    }
    macro_rules! store {
        ($d:expr, $off:expr, $v:expr, $n:literal) => {{
            let addr = r!($d).wrapping_add($off as i64 as u64);
            let v = $v;
            if !mem.store_fast(addr, $n, v) {
                if let Err(k) = mem.store(addr, $n, v) {
                    fail!(k);
                }
            }
        }};
    }
    enter!();
    loop {
        // The slot's op, with `pc` advanced past it first: an instruction that only computes
        // (most of them) then goes straight back here, with no shared tail to step `pc`
        // (that tail, one more taken jump per instruction wherever LLVM placed it, cost
        // prime 10-15 %). The arms below see `pc` as the next slot; `pc - 1` is this one.
        let op = ops.get(pc).copied().unwrap_or(Op::Slow);
        pc += 1;
        match op {
            Op::Slow => {
                // Not charged: the general path counts it.
                *pc_io = pc - 1;
                *steps_io = steps;
                return Ok(Stop::Slow);
            }
            Op::Exit => {
                *pc_io = pc - 1;
                *steps_io = steps;
                return Ok(Stop::Exit);
            }
            Op::Call(id) => {
                *pc_io = pc - 1;
                *steps_io = steps;
                return Ok(Stop::Call(id));
            }
            Op::Add64(d, s) => set!(d, r!(d).wrapping_add(r!(s))),
            Op::Sub64(d, s) => set!(d, r!(d).wrapping_sub(r!(s))),
            Op::Mul64(d, s) => set!(d, r!(d).wrapping_mul(r!(s))),
            Op::Div64(d, s) => set!(d, alu64(A::Div, r!(d), r!(s))),
            Op::SDiv64(d, s) => set!(d, alu64(A::SDiv, r!(d), r!(s))),
            Op::Mod64(d, s) => set!(d, alu64(A::Mod, r!(d), r!(s))),
            Op::SMod64(d, s) => set!(d, alu64(A::SMod, r!(d), r!(s))),
            Op::Or64(d, s) => set!(d, r!(d) | r!(s)),
            Op::And64(d, s) => set!(d, r!(d) & r!(s)),
            Op::Xor64(d, s) => set!(d, r!(d) ^ r!(s)),
            Op::Lsh64(d, s) => set!(d, alu64(A::Lsh, r!(d), r!(s))),
            Op::Rsh64(d, s) => set!(d, alu64(A::Rsh, r!(d), r!(s))),
            Op::Arsh64(d, s) => set!(d, alu64(A::Arsh, r!(d), r!(s))),
            Op::Mov64(d, s) => set!(d, r!(s)),
            Op::Add64I(d, i) => set!(d, r!(d).wrapping_add(i)),
            Op::Sub64I(d, i) => set!(d, r!(d).wrapping_sub(i)),
            Op::Mul64I(d, i) => set!(d, r!(d).wrapping_mul(i)),
            Op::Div64I(d, i) => set!(d, alu64(A::Div, r!(d), i)),
            Op::SDiv64I(d, i) => set!(d, alu64(A::SDiv, r!(d), i)),
            Op::Mod64I(d, i) => set!(d, alu64(A::Mod, r!(d), i)),
            Op::SMod64I(d, i) => set!(d, alu64(A::SMod, r!(d), i)),
            Op::Or64I(d, i) => set!(d, r!(d) | i),
            Op::And64I(d, i) => set!(d, r!(d) & i),
            Op::Xor64I(d, i) => set!(d, r!(d) ^ i),
            Op::Lsh64I(d, i) => set!(d, alu64(A::Lsh, r!(d), i)),
            Op::Rsh64I(d, i) => set!(d, alu64(A::Rsh, r!(d), i)),
            Op::Arsh64I(d, i) => set!(d, alu64(A::Arsh, r!(d), i)),
            Op::Mov64I(d, i) => set!(d, i),
            Op::Add32(d, s) => set!(d, alu32(A::Add, r!(d), r!(s))),
            Op::Sub32(d, s) => set!(d, alu32(A::Sub, r!(d), r!(s))),
            Op::Mul32(d, s) => set!(d, alu32(A::Mul, r!(d), r!(s))),
            Op::Div32(d, s) => set!(d, alu32(A::Div, r!(d), r!(s))),
            Op::SDiv32(d, s) => set!(d, alu32(A::SDiv, r!(d), r!(s))),
            Op::Mod32(d, s) => set!(d, alu32(A::Mod, r!(d), r!(s))),
            Op::SMod32(d, s) => set!(d, alu32(A::SMod, r!(d), r!(s))),
            Op::Or32(d, s) => set!(d, alu32(A::Or, r!(d), r!(s))),
            Op::And32(d, s) => set!(d, alu32(A::And, r!(d), r!(s))),
            Op::Xor32(d, s) => set!(d, alu32(A::Xor, r!(d), r!(s))),
            Op::Lsh32(d, s) => set!(d, alu32(A::Lsh, r!(d), r!(s))),
            Op::Rsh32(d, s) => set!(d, alu32(A::Rsh, r!(d), r!(s))),
            Op::Arsh32(d, s) => set!(d, alu32(A::Arsh, r!(d), r!(s))),
            Op::Mov32(d, s) => set!(d, r!(s) as u32 as u64),
            Op::Add32I(d, i) => set!(d, alu32(A::Add, r!(d), i)),
            Op::Sub32I(d, i) => set!(d, alu32(A::Sub, r!(d), i)),
            Op::Mul32I(d, i) => set!(d, alu32(A::Mul, r!(d), i)),
            Op::Div32I(d, i) => set!(d, alu32(A::Div, r!(d), i)),
            Op::SDiv32I(d, i) => set!(d, alu32(A::SDiv, r!(d), i)),
            Op::Mod32I(d, i) => set!(d, alu32(A::Mod, r!(d), i)),
            Op::SMod32I(d, i) => set!(d, alu32(A::SMod, r!(d), i)),
            Op::Or32I(d, i) => set!(d, alu32(A::Or, r!(d), i)),
            Op::And32I(d, i) => set!(d, alu32(A::And, r!(d), i)),
            Op::Xor32I(d, i) => set!(d, alu32(A::Xor, r!(d), i)),
            Op::Lsh32I(d, i) => set!(d, alu32(A::Lsh, r!(d), i)),
            Op::Rsh32I(d, i) => set!(d, alu32(A::Rsh, r!(d), i)),
            Op::Arsh32I(d, i) => set!(d, alu32(A::Arsh, r!(d), i)),
            Op::Mov32I(d, i) => set!(d, i as u32 as u64),
            Op::Neg64(d) => set!(d, r!(d).wrapping_neg()),
            Op::Neg32(d) => set!(d, (r!(d) as u32).wrapping_neg() as u64),
            Op::Swap16(d) => set!(d, (r!(d) as u16).swap_bytes() as u64),
            Op::Swap32(d) => set!(d, (r!(d) as u32).swap_bytes() as u64),
            Op::Swap64(d) => set!(d, r!(d).swap_bytes()),
            Op::Zext16(d) => set!(d, r!(d) as u16 as u64),
            Op::Zext32(d) => set!(d, r!(d) as u32 as u64),
            Op::Nop => {}
            Op::Sx64(d, s, bits) => set!(d, sext(r!(s), bits)),
            Op::Sx32(d, s, bits) => set!(d, sext(r!(s), bits) as u32 as u64),
            Op::Jeq(d, s, t) => jump!(r!(d) == r!(s), t),
            Op::Jne(d, s, t) => jump!(r!(d) != r!(s), t),
            Op::Jgt(d, s, t) => jump!(r!(d) > r!(s), t),
            Op::Jge(d, s, t) => jump!(r!(d) >= r!(s), t),
            Op::Jlt(d, s, t) => jump!(r!(d) < r!(s), t),
            Op::Jle(d, s, t) => jump!(r!(d) <= r!(s), t),
            Op::Jset(d, s, t) => jump!(r!(d) & r!(s) != 0, t),
            Op::Jsgt(d, s, t) => jump!((r!(d) as i64) > r!(s) as i64, t),
            Op::Jsge(d, s, t) => jump!((r!(d) as i64) >= r!(s) as i64, t),
            Op::Jslt(d, s, t) => jump!((r!(d) as i64) < r!(s) as i64, t),
            Op::Jsle(d, s, t) => jump!((r!(d) as i64) <= r!(s) as i64, t),
            Op::JeqI(d, t, i) => jump!(r!(d) == i, t),
            Op::JneI(d, t, i) => jump!(r!(d) != i, t),
            Op::JgtI(d, t, i) => jump!(r!(d) > i, t),
            Op::JgeI(d, t, i) => jump!(r!(d) >= i, t),
            Op::JltI(d, t, i) => jump!(r!(d) < i, t),
            Op::JleI(d, t, i) => jump!(r!(d) <= i, t),
            Op::JsetI(d, t, i) => jump!(r!(d) & i != 0, t),
            Op::JsgtI(d, t, i) => jump!((r!(d) as i64) > i as i64, t),
            Op::JsgeI(d, t, i) => jump!((r!(d) as i64) >= i as i64, t),
            Op::JsltI(d, t, i) => jump!((r!(d) as i64) < i as i64, t),
            Op::JsleI(d, t, i) => jump!((r!(d) as i64) <= i as i64, t),
            Op::Jeq32(d, s, t) => jump!(cond(J::Eq, false, r!(d), r!(s)), t),
            Op::Jne32(d, s, t) => jump!(cond(J::Ne, false, r!(d), r!(s)), t),
            Op::Jgt32(d, s, t) => jump!(cond(J::Gt, false, r!(d), r!(s)), t),
            Op::Jge32(d, s, t) => jump!(cond(J::Ge, false, r!(d), r!(s)), t),
            Op::Jlt32(d, s, t) => jump!(cond(J::Lt, false, r!(d), r!(s)), t),
            Op::Jle32(d, s, t) => jump!(cond(J::Le, false, r!(d), r!(s)), t),
            Op::Jset32(d, s, t) => jump!(cond(J::Set, false, r!(d), r!(s)), t),
            Op::Jsgt32(d, s, t) => jump!(cond(J::Sgt, false, r!(d), r!(s)), t),
            Op::Jsge32(d, s, t) => jump!(cond(J::Sge, false, r!(d), r!(s)), t),
            Op::Jslt32(d, s, t) => jump!(cond(J::Slt, false, r!(d), r!(s)), t),
            Op::Jsle32(d, s, t) => jump!(cond(J::Sle, false, r!(d), r!(s)), t),
            Op::Jeq32I(d, t, i) => jump!(cond(J::Eq, false, r!(d), i), t),
            Op::Jne32I(d, t, i) => jump!(cond(J::Ne, false, r!(d), i), t),
            Op::Jgt32I(d, t, i) => jump!(cond(J::Gt, false, r!(d), i), t),
            Op::Jge32I(d, t, i) => jump!(cond(J::Ge, false, r!(d), i), t),
            Op::Jlt32I(d, t, i) => jump!(cond(J::Lt, false, r!(d), i), t),
            Op::Jle32I(d, t, i) => jump!(cond(J::Le, false, r!(d), i), t),
            Op::Jset32I(d, t, i) => jump!(cond(J::Set, false, r!(d), i), t),
            Op::Jsgt32I(d, t, i) => jump!(cond(J::Sgt, false, r!(d), i), t),
            Op::Jsge32I(d, t, i) => jump!(cond(J::Sge, false, r!(d), i), t),
            Op::Jslt32I(d, t, i) => jump!(cond(J::Slt, false, r!(d), i), t),
            Op::Jsle32I(d, t, i) => jump!(cond(J::Sle, false, r!(d), i), t),
            Op::Goto(t) => {
                pc = t as usize;
                enter!();
            }
            Op::LdImm64(d, v) => {
                r!(d) = v;
                pc += 1;
            }
            Op::Ldx1(d, s, off) => set!(d, load!(d, s, off, 1)),
            Op::Ldx2(d, s, off) => set!(d, load!(d, s, off, 2)),
            Op::Ldx4(d, s, off) => set!(d, load!(d, s, off, 4)),
            Op::Ldx8(d, s, off) => set!(d, load!(d, s, off, 8)),
            Op::Ldxs1(d, s, off) => set!(d, sext(load!(d, s, off, 1), 8)),
            Op::Ldxs2(d, s, off) => set!(d, sext(load!(d, s, off, 2), 16)),
            Op::Ldxs4(d, s, off) => set!(d, sext(load!(d, s, off, 4), 32)),
            Op::Stx1(d, s, off) => store!(d, off, r!(s), 1),
            Op::Stx2(d, s, off) => store!(d, off, r!(s), 2),
            Op::Stx4(d, s, off) => store!(d, off, r!(s), 4),
            Op::Stx8(d, s, off) => store!(d, off, r!(s), 8),
            Op::St1(d, off, v) => store!(d, off, v, 1),
            Op::St2(d, off, v) => store!(d, off, v, 2),
            Op::St4(d, off, v) => store!(d, off, v, 4),
            Op::St8(d, off, v) => store!(d, off, v, 8),
            Op::MovAdd(d, s, i) => {
                r!(d) = r!(s).wrapping_add(i as i64 as u64);
                pc += 1;
            }
            Op::AddJeq(d, t, a, c) => add_jump!(d, a, t, |v: u64| v == c as i64 as u64),
            Op::AddJne(d, t, a, c) => add_jump!(d, a, t, |v: u64| v != c as i64 as u64),
            Op::AddJgt(d, t, a, c) => add_jump!(d, a, t, |v: u64| v > c as i64 as u64),
            Op::AddJge(d, t, a, c) => add_jump!(d, a, t, |v: u64| v >= c as i64 as u64),
            Op::AddJlt(d, t, a, c) => add_jump!(d, a, t, |v: u64| v < c as i64 as u64),
            Op::AddJle(d, t, a, c) => add_jump!(d, a, t, |v: u64| v <= c as i64 as u64),
        }
    }
}
