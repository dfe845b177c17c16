//! Precision marks as 6.18's backtracking (`backtrack_insn`, `__mark_chain_precision`) sets
//! them, seen through pruning: the processed and stored counts of the rule cases `prec_*` are
//! the running kernel's (6.18.44, `ebpf-dsl load --log`, their `# kernel log:` line). A value
//! we mark precise where the kernel does not keeps a path the kernel prunes (more processed);
//! one we leave imprecise where the kernel marks it would prune more than the kernel.

use super::stack_prune_tests::counts;

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
    atomic_operand_not_precise => "prec_atomic_operand_not_precise",
    newest_checkpoint_first => "prec_prune_newest_checkpoint_first",
    helper_bytes_load_not_precise => "prec_helper_bytes_load_not_precise",
}
