//! The XDP module's snippets as statements: bounds-checked parsing and the XSK redirects.
use ebpf_dsl_macros::{defmap, defprogram};

defmap! {
    /// Sockets by queue.
    pub XSKS: xskmap(max_entries = 64);
}

defprogram! {
    /// UDP to port 4242 goes to the socket of its queue; everything else passes.
    pub UDP_4242: xdp {
        load_data_pointers!(r1, r2, r3);
        parse_eth!(r2, r3, r4, pass);
        if r4 != ETH_P_IP goto pass;
        r5 = r2;
        r5 += 14;
        parse_ipv4!(r5, r3, r4, pass, r6);
        if r4 != IPPROTO_UDP goto pass;
        parse_udp!(r6, r3, r4, pass);
        if r4 != 4242 goto pass;
        redirect_to_xsk_by_queue!(XSKS);
    pass:
        return_action!(XDP_PASS);
    }

    /// The kernel documentation's lookup-first form, as one statement.
    pub LOOKUP: xdp {
        redirect_to_xsk_lookup_first!(XSKS);
    }
}

fn main() {
    assert!(UDP_4242.insns.len() > 20);
    assert_eq!(UDP_4242.relocations.len(), 1);
    assert_eq!(UDP_4242.relocations[0].symbol, "xsks");
    assert_eq!(UDP_4242.maps.as_ref(), &[XSKS]);
    assert_eq!(
        LOOKUP.insns.as_ref(),
        ebpf_dsl::asm::resolve(&ebpf_dsl::seeds::redirect_lookup_first("xsks"))
            .unwrap()
            .insns
            .as_slice()
    );
}
