//! Runs every example binary in its standalone sandbox mode with short bounds and checks its
//! exit status, key output and the frame counts a sandbox can know exactly (what was sent,
//! what the far end's sink counted, what the veth ends counted as dropped). Privileged: shown
//! as ignored, with the reason, when not root and `CI` is not `true`; under `CI=true` they run.
//! The tests run one at a time (a lock): each example builds its own namespaces and some run a
//! packet generator at full speed.

mod bench;
mod capture;
mod cli;
mod common;
mod demo;
mod echo;
mod flowtop;
mod pktgen;
mod rxmeta;

use bench::{
    l2fwd_forwards_back, ringbuf_bench_reads_every_event, rxdrop_and_l2fwd_as_workers,
    rxdrop_receives, txonly_sends_and_the_far_end_counts_it,
};
use capture::capture_writes_a_pcap_of_what_the_filter_selects;
use cli::{every_example_has_help_and_rejects_bad_options, not_root_is_a_clear_error};
use demo::{
    demo_cleans_up_on_ctrl_c, demo_multiprog_runs_beside_xdp_filter,
    demo_proves_udp_to_user_space_and_the_rest_to_the_stack,
};
use echo::{
    echo_answers_bursts_in_every_mode, echo_answers_every_request,
    echo_on_an_interface_answers_every_request, echo_poll_and_spin_answer_every_request,
};
use flowtop::{
    flowtop_port_and_sampling, flowtop_proof_fails_when_the_mix_is_cut_short,
    flowtop_proves_every_count,
};
use pktgen::{pktgen_paces_to_the_rate, pktgen_sends_exactly_the_count_and_they_arrive};
use rxmeta::rxmeta_prints_a_stable_hash_per_flow;
use xsk_testkit::kernel_tests;

kernel_tests! {
    privileged: [
        not_root_is_a_clear_error,
        demo_proves_udp_to_user_space_and_the_rest_to_the_stack,
        demo_multiprog_runs_beside_xdp_filter,
        demo_cleans_up_on_ctrl_c,
        flowtop_proves_every_count,
        flowtop_port_and_sampling,
        flowtop_proof_fails_when_the_mix_is_cut_short,
        capture_writes_a_pcap_of_what_the_filter_selects,
        echo_answers_every_request,
        echo_poll_and_spin_answer_every_request,
        echo_answers_bursts_in_every_mode,
        echo_on_an_interface_answers_every_request,
        ringbuf_bench_reads_every_event,
        rxdrop_receives,
        rxmeta_prints_a_stable_hash_per_flow,
        txonly_sends_and_the_far_end_counts_it,
        l2fwd_forwards_back,
        rxdrop_and_l2fwd_as_workers,
        pktgen_sends_exactly_the_count_and_they_arrive,
        pktgen_paces_to_the_rate,
    ],
    plain: [every_example_has_help_and_rejects_bad_options],
}
