//! Global functions for [`super::Gen`] (`.global_func`): verified once on their own from
//! their prototype (a number, the context, or `SIZE` bytes of memory that may be NULL), each
//! call checked against it, the caller's stack buffers clobbered by the call and `r0` unknown
//! after it.

use std::fmt::Write as _;

use super::{Gen, NEAR};

impl Gen<'_> {
    /// A call of a new global function `(mem SIZE [nonnull], scalar[, ctx])`: the caller
    /// passes a stack buffer, a map value (checked for NULL or not), a checked packet range, or
    /// NULL, and a bounded number; the body reads or writes the memory at a constant or at the
    /// number (bounded there or not), checking NULL or not; the caller then reads its buffer
    /// or the result.
    pub(super) fn global_call(&mut self, d: &'static str, a: &'static str) {
        let f = self.name();
        let size = self.rng.pick(&[1, 4, 8, 16]);
        let nonnull = self.rng.chance(40);
        let with_ctx = self.rng.chance(25);
        self.globals.push(format!(
            ".global_func {f}(mem {size}{}, scalar{})",
            if nonnull { " nonnull" } else { "" },
            if with_ctx { ", ctx" } else { "" }
        ));
        // The body.
        let mut b = format!("{f}:\nr0 = 0\n");
        let done = self.label();
        if !nonnull && self.rng.chance(80) {
            let _ = writeln!(b, "if r1 == 0 goto {done}");
        }
        let w = self.rng.pick(&[1, 1, 2, 4, 8]);
        let k = self.rng.pick(&[0, 0, 1, 4, 8, 12, 15]);
        if self.rng.chance(45) {
            let mut x = String::new();
            self.bound(&mut x, "r2", 1);
            self.tight(&mut x, "r2");
            b.push_str(&x);
            let _ = writeln!(b, "r1 += r2");
        }
        if self.rng.chance(50) {
            let _ = writeln!(b, "r0 = *(u{} *)(r1 + {k})", w * 8);
        } else {
            let _ = writeln!(
                b,
                "*(u{} *)(r1 + {k}) = {}",
                w * 8,
                self.rng.pick(&[0, 1, 7])
            );
        }
        if with_ctx && self.rng.chance(60) {
            let _ = writeln!(
                b,
                "r4 = *(u32 *)(r3 + 0)\nr5 = *(u32 *)(r3 + 4)\nr1 = r4\nr1 += 8\nif r1 > r5 goto {done}\nr0 = *(u8 *)(r4 + {})",
                self.rng.pick(&[0, 7, 8])
            );
        }
        let _ = writeln!(b, "{done}:\nexit");
        self.subs.push(b);
        // The call.
        let out = self.label();
        let mut pre = String::new();
        self.bound(&mut pre, a, 1);
        self.tight(&mut pre, a);
        self.main.push_str(&pre);
        let slot = self.rng.pick(&[8, 16, 24]);
        let from_stack = match self.rng.below(10) {
            0..=3 => {
                if self.rng.chance(80) {
                    let _ = writeln!(
                        self.main,
                        "*(u64 *)(r10 - {slot}) = {}",
                        self.rng.pick(&NEAR)
                    );
                    if slot > 8 && self.rng.chance(70) {
                        let _ = writeln!(self.main, "*(u64 *)(r10 - {}) = 0", slot - 8);
                    }
                }
                let _ = writeln!(self.main, "r1 = r10\nr1 += -{slot}");
                true
            }
            4..=5 => {
                self.lookup_maybe_null(&out);
                let _ = writeln!(self.main, "r1 = r0");
                false
            }
            6..=7 => {
                let _ = writeln!(
                    self.main,
                    "r1 = *(u32 *)(r9 + 0)\nr3 = *(u32 *)(r9 + 4)\nr4 = r1\nr4 += {}\nif r4 > r3 goto {out}",
                    self.rng.pick(&[4, 8, 16])
                );
                false
            }
            _ => {
                let _ = writeln!(self.main, "r1 = 0");
                false
            }
        };
        let _ = writeln!(self.main, "r2 = {a}");
        if with_ctx {
            let _ = writeln!(self.main, "r3 = r9");
        }
        let _ = writeln!(self.main, "call {f}");
        if from_stack && self.rng.chance(60) {
            // The buffer after the call: clobbered.
            let _ = writeln!(self.main, "{d} = *(u64 *)(r10 - {slot})");
        } else {
            let _ = writeln!(self.main, "{d} = r0");
        }
        let _ = writeln!(self.main, "{out}:");
    }

    /// A lookup of `m` leaving the value pointer in `r0`, checked for NULL (jumping to
    /// `out`) most of the time, not always.
    fn lookup_maybe_null(&mut self, out: &str) {
        let _ = writeln!(
            self.main,
            "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = m ll\ncall bpf_map_lookup_elem"
        );
        if self.rng.chance(75) {
            let _ = writeln!(self.main, "if r0 == 0 goto {out}");
        }
    }
}
