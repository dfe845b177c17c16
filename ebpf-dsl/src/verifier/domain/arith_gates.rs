//! The scalar arithmetic of one ALU instruction as a given kernel computes it (the entry point
//! of the transfer functions: [`super::kernel_alu`]'s steps with the target's rules), and the
//! tests that compare it with models of the kernel's operations written apart
//! (`adjust_scalar_min_max_vals` on the 32-bit bounds, `zext_32_to_64`, `reg_bounds_sync`) on
//! random operands.

/// `a op b` (64-bit when `is64`, else the zero-extended 32-bit result) between two numbers,
/// as `kernel` computes it (links are the caller's; the result is unlinked).
pub(crate) use super::kernel_alu::kernel_alu as scalar_alu;

#[cfg(test)]
#[path = "arith_gates_tests.rs"]
mod tests;
