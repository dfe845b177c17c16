//! The three seed programs of the AF_XDP guides, written with `defprogram!`, compared
//! instruction for instruction (and relocation for relocation) with the builder versions of
//! `ebpf_dsl::seeds`.

use ebpf_dsl::{asm, seeds, ProgramSpec, ProgramType};
use ebpf_dsl_macros::{defmap, defprogram};

defmap! {
    /// AF_XDP sockets by RX queue index.
    pub XSKS: xskmap(key = u32, value = u32, max_entries = 64);
}

defprogram! {
    /// Seed 1: every packet to the XSK of its RX queue; XDP_PASS when no socket is there.
    pub REDIRECT_ALL: xdp(license = "GPL", name = "redirect_all") {
        r2 = *(u32 *)(r1 + 16);        // ctx->rx_queue_index
        r1 = XSKS ll;
        r3 = XDP_PASS;                 // fallback action in the flags' low bits
        call bpf_redirect_map;
        exit;
    }

    /// Seed 2: only IPv4 UDP (protocol byte at offset 23) goes to the XSK; the rest passes.
    pub REDIRECT_UDP: xdp(name = "redirect_udp") {
        r2 = *(u32 *)(r1 + 0);         // data
        r3 = *(u32 *)(r1 + 4);         // data_end
        r4 = r2;
        r4 += 34;                      // Ethernet (14) + IPv4 (20)
        if r4 > r3 goto pass;
        r4 = *(u8 *)(r2 + 23);         // iph->protocol
        if r4 != IPPROTO_UDP goto pass;
        r2 = *(u32 *)(r1 + 16);
        r1 = XSKS ll;
        r3 = XDP_PASS;
        call bpf_redirect_map;
        exit;
    pass:
        r0 = XDP_PASS;
        exit;
    }

    /// Seed 3: the kernel documentation's form: look the queue up first.
    pub REDIRECT_LOOKUP_FIRST: xdp(name = "lookup_first") {
        r2 = *(u32 *)(r1 + 16);
        *(u32 *)(r10 - 4) = r2;
        r2 = r10;
        r2 += -4;
        r1 = XSKS ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto pass;
        r2 = *(u32 *)(r10 - 4);
        r1 = XSKS ll;
        r3 = 0;
        call bpf_redirect_map;
        exit;
    pass:
        r0 = XDP_PASS;
        exit;
    }
}

defprogram! {
    /// Seed 1 again, with the XDP module's snippet instead of the four statements.
    pub REDIRECT_ALL_SNIPPET: xdp(name = "redirect_all_sn") {
        redirect_to_xsk_by_queue!(XSKS, r2, XDP_PASS);
    }
}

fn assert_same(spec: &ProgramSpec, builder: Vec<ebpf_dsl::Item>) {
    let built = asm::resolve(&builder).expect("the builder seed resolves");
    assert!(
        asm::check(&built).is_empty(),
        "the builder seed passes the checks"
    );
    assert_eq!(
        spec.insns.as_ref(),
        built.insns.as_slice(),
        "{}: defprogram! and the builder differ",
        spec.name
    );
    assert_eq!(
        spec.relocations.as_ref(),
        built.relocations.as_slice(),
        "{}: relocations differ",
        spec.name
    );
    assert_eq!(
        spec.maps.as_ref(),
        &[XSKS],
        "{}: the referenced maps",
        spec.name
    );
    assert_eq!(spec.prog_type, ProgramType::Xdp);
    assert_eq!(spec.license, "GPL");
}

#[test]
fn seed_redirect_all_matches_builder() {
    assert_same(&REDIRECT_ALL, seeds::redirect_all("xsks"));
    assert_eq!(REDIRECT_ALL.name, "redirect_all");
    assert_eq!(REDIRECT_ALL.insns.len(), 6);
}

#[test]
fn seed_redirect_udp_matches_builder() {
    assert_same(&REDIRECT_UDP, seeds::redirect_udp("xsks"));
    assert_eq!(REDIRECT_UDP.insns.len(), 15);
}

#[test]
fn seed_lookup_first_matches_builder() {
    assert_same(&REDIRECT_LOOKUP_FIRST, seeds::redirect_lookup_first("xsks"));
    assert_eq!(REDIRECT_LOOKUP_FIRST.insns.len(), 16);
    assert_eq!(REDIRECT_LOOKUP_FIRST.relocations.len(), 2);
}

#[test]
fn seed_snippet_matches_builder() {
    assert_same(&REDIRECT_ALL_SNIPPET, seeds::redirect_all("xsks"));
    assert_eq!(REDIRECT_ALL_SNIPPET.name, "redirect_all_sn");
}

#[test]
fn seeds_match_the_text_assembler() {
    for (spec, (_, _, text)) in [&REDIRECT_ALL, &REDIRECT_UDP, &REDIRECT_LOOKUP_FIRST]
        .into_iter()
        .zip(seeds::SEEDS)
    {
        let a = asm::assemble(text).expect("seed text assembles");
        assert_eq!(spec.insns.as_ref(), a.insns.as_slice(), "{}", spec.name);
        assert_eq!(
            spec.relocations.as_ref(),
            a.relocations.as_slice(),
            "{}",
            spec.name
        );
    }
}

#[test]
fn seeds_pass_the_static_verifier() {
    use ebpf_dsl::verifier::{verify, VerifyInput};
    for spec in [
        &REDIRECT_ALL,
        &REDIRECT_UDP,
        &REDIRECT_LOOKUP_FIRST,
        &REDIRECT_ALL_SNIPPET,
    ] {
        let input =
            VerifyInput::new(&spec.insns, spec.prog_type).with_maps(&spec.relocations, &spec.maps);
        if let Err(errs) = verify(&input) {
            panic!("{}: {errs:?}", spec.name);
        }
    }
}
