//! Pruning over stack slots as 6.18's `stacksafe` does it (narrow spills byte by byte, the
//! frame's allocation, unknown bytes over anything, the precision of stores): the processed
//! and stored counts of the rule cases `stack_prune_*` are the running kernel's (6.18.44,
//! `ebpf-dsl load --log`, their `# kernel log:` line).

use super::{verify_with, Trust, VerifyInput};
use crate::asm::assemble_unchecked;
use crate::verifier::target::KernelVersion;
use crate::ProgramType;

/// Our (processed, states) for a rule case, and the kernel's from its `# kernel log:` line.
pub(super) fn counts(src: &str) -> ((usize, usize), (usize, usize)) {
    let a = assemble_unchecked(src).expect("valid text");
    let mut input = VerifyInput::new(&a.insns, ProgramType::Xdp);
    input.kernel = KernelVersion::new(6, 18);
    let r = verify_with(&input, &Trust::none(), false, false).expect("accepted");
    let log = src
        .lines()
        .find_map(|l| l.strip_prefix("# kernel log: processed "))
        .expect("a kernel log line");
    let words: Vec<&str> = log.split_whitespace().collect();
    let kernel = (
        words[0].parse().expect("processed"),
        words.last().expect("states").parse().expect("states"),
    );
    ((r.insns_processed, r.states), kernel)
}

macro_rules! same_counts {
    ($($name:ident => $file:literal,)*) => {$(
        #[test]
        fn $name() {
            let (ours, kernel) =
                counts(include_str!(concat!("../../tests/kernel_rules/", $file, ".s")));
            assert_eq!(ours, kernel);
        }
    )*};
}

same_counts! {
    unallocated_slot => "stack_prune_unallocated_slot",
    allocated_slot => "stack_prune_allocated_slot",
    narrow_spill_covers_wider => "stack_prune_narrow_spill_covers_wider",
    narrow_spill_covers_narrow => "stack_prune_narrow_spill_covers_narrow",
    narrow_spill_not_narrower => "stack_prune_narrow_spill_not_narrower",
    unknown_bytes_cover_pointer => "stack_prune_unknown_bytes_cover_pointer",
    zero_store_precise => "stack_prune_zero_store_precise",
    unknown_store_not_precise => "stack_prune_unknown_store_not_precise",
}
