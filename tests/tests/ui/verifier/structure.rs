// Rule: structure. The function `f` ends with a call, so execution would run on into the
// next function `g` (the kernel: "last insn is not an exit or jmp"). Most structural mistakes
// (jumps out of the program or into an `ld_imm64`, falling off the end) are caught earlier by
// the assembler: see labels/, ld_imm64_jump/, fallthrough/.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        call f;
        r0 = XDP_PASS;
        exit;
    f:
        r0 = 0;
        call g;
    g:
        r0 = 1;
        exit;
    }
}

fn main() {}
