//! `verify = structural` keeps the assembler's checks and skips the static verifier: for a
//! program the kernel accepts but the verifier does not model (here: a kprobe).
use ebpf_dsl::ProgramType;
use ebpf_dsl_macros::defprogram;

defprogram! {
    /// Returns 0 from a kprobe.
    pub PROBE: kprobe(verify = structural) {
        r0 = 0;
        exit;
    }
}

fn main() {
    assert_eq!(PROBE.prog_type, ProgramType::Kprobe);
    assert_eq!(PROBE.insns.len(), 2);
}
