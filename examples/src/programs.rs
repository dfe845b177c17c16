//! The XDP programs of the examples, written with `defmap!`/`defprogram!` (checked at compile
//! time) or, where a value is only known at run time, with the builder API of `ebpf_dsl`.
//!
//! | program | what | used by |
//! |---|---|---|
//! | [`UDP_ONLY`] | the guides' UDP-only program: IPv4 UDP to the socket of its queue, the rest to the stack, counted in [`PASSED`] | `xsk-demo`, `xsk-capture --filter udp` |
//! | [`REDIRECT_ALL`] | the guides' first program: every packet to the socket of its queue | `xsk-capture --filter all`, `xsk-rxdrop`, `xsk-l2fwd` |
//! | [`udp_port_program`] | UDP to one destination port to the sockets, the rest to the stack (builder + snippets) | `xsk-echo`, `xsk-capture --filter udp-port=N` |
//! | [`PKTGEN_TX`] | `XDP_TX` every frame, counted per CPU in [`PKTGEN_COUNT`] | `xsk-pktgen` (live frames) |
//! | [`redirect_program`] | `bpf_redirect` every frame to an interface, counted | `xsk-pktgen --redirect` |
//! | [`SINK_DROP`] | `XDP_DROP` every frame, counted per CPU in [`SINK_COUNT`] | the sandboxes' far ends |

use ebpf_dsl::dsl::{self, label, mov};
use ebpf_dsl::insn::JmpOp;
use ebpf_dsl::xdp::{self, XdpAction};
use ebpf_dsl::{ProgramSpec, Reg};
use ebpf_dsl_macros::{defmap, defprogram};

use crate::error::{Error, Result};

defmap! {
    /// AF_XDP sockets by receive queue (the map every redirect program here names `xsks`).
    pub XSKS: xskmap(key = u32, value = u32, max_entries = 64);
    /// Packets [`UDP_ONLY`] passed to the kernel stack (one counter, updated atomically).
    pub PASSED: array(key = u32, value = u64, max_entries = 1, name = "xsk_passed");
    /// Frames [`PKTGEN_TX`] sent, per CPU.
    pub PKTGEN_COUNT: percpu_array(key = u32, value = u64, max_entries = 1, name = "pktgen_count");
    /// Frames [`SINK_DROP`] dropped, per CPU.
    pub SINK_COUNT: percpu_array(key = u32, value = u64, max_entries = 1, name = "sink_count");
}

defprogram! {
    /// The AF_XDP guides' UDP-only program: after a 34-byte bounds check (Ethernet + IPv4),
    /// the IPv4 protocol byte (offset 23) decides: UDP (17) goes to the AF_XDP socket of the
    /// packet's receive queue, everything else to the kernel stack (`XDP_PASS`) — counted in
    /// `PASSED[0]` so the demo can show it.
    pub UDP_ONLY: xdp(name = "xsk_udp_only") {
        r2 = *(u32 *)(r1 + 0);            // data
        r3 = *(u32 *)(r1 + 4);            // data_end
        r4 = r2;
        r4 += 34;
        if r4 > r3 goto pass;             // shorter than Ethernet + IPv4
        r4 = *(u8 *)(r2 + 23);            // iph->protocol
        if r4 != IPPROTO_UDP goto pass;
        r2 = *(u32 *)(r1 + 16);           // ctx->rx_queue_index
        r1 = XSKS ll;
        r3 = XDP_PASS;                    // no socket on this queue: to the stack
        call bpf_redirect_map;
        exit;
    pass:
        *(u32 *)(r10 - 4) = 0;
        r2 = r10;
        r2 += -4;
        r1 = PASSED ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto out;
        r1 = 1;
        lock *(u64 *)(r0 + 0) += r1;
    out:
        r0 = XDP_PASS;
        exit;
    }

    /// The guides' first program: every packet to the AF_XDP socket of its receive queue;
    /// queues without a socket pass to the stack.
    pub REDIRECT_ALL: xdp(name = "xsk_redir_all") {
        r2 = *(u32 *)(r1 + 16);
        r1 = XSKS ll;
        r3 = XDP_PASS;
        call bpf_redirect_map;
        exit;
    }

    /// The packet generator's program for `BPF_PROG_TEST_RUN` live frames: count the frame
    /// (this CPU's slot of `PKTGEN_COUNT`), then send it out of the interface (`XDP_TX`).
    pub PKTGEN_TX: xdp(name = "pktgen_tx") {
        *(u32 *)(r10 - 4) = 0;
        r2 = r10;
        r2 += -4;
        r1 = PKTGEN_COUNT ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto tx;
        r1 = *(u64 *)(r0 + 0);
        r1 += 1;
        *(u64 *)(r0 + 0) = r1;
    tx:
        r0 = XDP_TX;
        exit;
    }

    /// A sink: count the frame in this CPU's slot of `SINK_COUNT` and drop it.
    pub SINK_DROP: xdp(name = "sink_drop") {
        *(u32 *)(r10 - 4) = 0;
        r2 = r10;
        r2 += -4;
        r1 = SINK_COUNT ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto drop;
        r1 = *(u64 *)(r0 + 0);
        r1 += 1;
        *(u64 *)(r0 + 0) = r1;
    drop:
        r0 = XDP_DROP;
        exit;
    }
}

/// Assembles, checks and statically verifies a program made at run time (the same checks
/// `defprogram!` makes at compile time).
fn build(p: dsl::Program) -> Result<ProgramSpec> {
    p.build_verified()
        .map_err(|e| Error::Failed(format!("the generated program is rejected: {e}")))
}

/// A program, built at run time because the port is a run-time value: IPv4 UDP packets to
/// destination port `port` go to the AF_XDP socket of their receive queue; everything else is
/// counted in `PASSED` and passed to the stack. Made of the `ebpf_dsl::xdp` parsing snippets:
///
/// ```text
///   r2 = data; r3 = data_end
///   <parse_eth_be r2 r3 -> r4 (EtherType)>;  if r4 != htons(ETH_P_IP) goto pass
///   r5 = r2 + 14; <parse_ipv4 r5 -> r4 (protocol), r6 (L4)>;  if r4 != IPPROTO_UDP goto pass
///   <parse_udp_be r6 -> r4 (destination port)>;  if r4 != htons(PORT) goto pass
///   <redirect_to_xsk_by_queue xsks>
/// pass:
///   PASSED[0] += 1; return XDP_PASS
/// ```
///
/// The EtherType and the port are compared in network byte order, as loaded (the `_be`
/// parsers), as clang compiles the C twin (`bench/c/xdp_progs.bpf.c`, `xsk_echo`): 30
/// instructions run for a request, against the C program's 33.
pub fn udp_port_program(port: u16) -> Result<ProgramSpec> {
    let mut p = dsl::Program::xdp("xsk_udp_port");
    p.map(XSKS).map(PASSED);
    p.extend(xdp::load_data_pointers(Reg::R1, Reg::R2, Reg::R3));
    p.extend(xdp::parse_eth_be(Reg::R2, Reg::R3, Reg::R4, "pass"));
    // ETH_P_IP in network order (`consts::ETH_P_IP_BE`).
    p.push(dsl::jmp_imm(
        JmpOp::Jne,
        Reg::R4,
        xdp::htons(0x0800),
        "pass",
    ));
    p.push(dsl::mov_reg(Reg::R5, Reg::R2));
    p.push(dsl::add(Reg::R5, xdp::ETH_HLEN));
    p.extend(xdp::parse_ipv4(
        Reg::R5,
        Reg::R3,
        Reg::R4,
        "pass",
        Some(Reg::R6),
    ));
    p.push(dsl::jmp_imm(JmpOp::Jne, Reg::R4, 17, "pass"));
    p.extend(xdp::parse_udp_be(Reg::R6, Reg::R3, Reg::R4, "pass"));
    p.push(dsl::jmp_imm(JmpOp::Jne, Reg::R4, xdp::htons(port), "pass"));
    p.extend(xdp::redirect_to_xsk_by_queue(
        Reg::R1,
        XSKS.name_str(),
        Reg::R2,
        XdpAction::Pass.value(),
    ));
    p.push(label("pass"));
    count_and_return(&mut p, PASSED.name_str(), true, XdpAction::Pass);
    build(p)
}

/// `map[0] += 1` (atomically if `atomic`), then `return action`.
fn count_and_return(p: &mut dsl::Program, map: &'static str, atomic: bool, action: XdpAction) {
    p.push(dsl::st(ebpf_dsl::insn::Size::W, Reg::R10, -4, 0));
    p.push(dsl::mov_reg(Reg::R2, Reg::R10));
    p.push(dsl::add(Reg::R2, -4));
    p.push(dsl::ld_map_fd(Reg::R1, map));
    p.push(dsl::call(xdp::BPF_FUNC_MAP_LOOKUP_ELEM));
    p.push(dsl::jmp_imm(JmpOp::Jeq, Reg::R0, 0, "__count_out"));
    p.push(mov(Reg::R1, 1));
    if atomic {
        p.push(dsl::atomic_add64(Reg::R0, Reg::R1, 0));
    } else {
        p.push(dsl::ldxdw(Reg::R2, Reg::R0, 0));
        p.push(dsl::add_reg(Reg::R2, Reg::R1));
        p.push(dsl::stxdw(Reg::R0, Reg::R2, 0));
    }
    p.push(label("__count_out"));
    p.extend(xdp::return_action(action));
}

/// The generator program of `xsk-pktgen --redirect`: count the frame in `PKTGEN_COUNT`, then
/// `bpf_redirect(ifindex, 0)` — the frame leaves through interface `ifindex`.
pub fn redirect_program(ifindex: u32) -> Result<ProgramSpec> {
    let ifindex = i32::try_from(ifindex)
        .map_err(|_| Error::Usage(format!("ifindex {ifindex} out of range")))?;
    let mut p = dsl::Program::xdp("pktgen_redir");
    p.map(PKTGEN_COUNT);
    p.push(dsl::st(ebpf_dsl::insn::Size::W, Reg::R10, -4, 0));
    p.push(dsl::mov_reg(Reg::R2, Reg::R10));
    p.push(dsl::add(Reg::R2, -4));
    p.push(dsl::ld_map_fd(Reg::R1, PKTGEN_COUNT.name_str()));
    p.push(dsl::call(xdp::BPF_FUNC_MAP_LOOKUP_ELEM));
    p.push(dsl::jmp_imm(JmpOp::Jeq, Reg::R0, 0, "go"));
    p.push(dsl::ldxdw(Reg::R2, Reg::R0, 0));
    p.push(dsl::add(Reg::R2, 1));
    p.push(dsl::stxdw(Reg::R0, Reg::R2, 0));
    p.push(label("go"));
    p.extend(xdp::redirect(ifindex, 0));
    build(p)
}

/// The sum of a per-CPU `u64` counter at key 0 (or the one value of a plain array).
pub fn read_counter(map: &xsk_runtime::maps::Map) -> Result<u64> {
    let v = map
        .lookup(&0u32.to_ne_bytes())
        .map_err(|e| Error::Runtime {
            context: format!("reading counter map {}", map.name()),
            source: e,
        })?
        .unwrap_or_default();
    Ok(v.chunks_exact(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            u64::from_ne_bytes(b)
        })
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_reference_their_maps() {
        assert_eq!(UDP_ONLY.relocations.len(), 2);
        assert_eq!(UDP_ONLY.maps.as_ref(), &[XSKS.to_spec(), PASSED.to_spec()]);
        assert_eq!(REDIRECT_ALL.maps.as_ref(), &[XSKS]);
        // The guides' seed, instruction for instruction, up to the first `exit`.
        let seed = ebpf_dsl::asm::resolve(&ebpf_dsl::seeds::redirect_udp("xsks")).unwrap();
        assert_eq!(&UDP_ONLY.insns[..13], &seed.insns[..13]);
        let all = ebpf_dsl::asm::resolve(&ebpf_dsl::seeds::redirect_all("xsks")).unwrap();
        assert_eq!(REDIRECT_ALL.insns.as_ref(), all.insns.as_slice());
        let p = udp_port_program(4242).unwrap();
        assert_eq!(p.maps.len(), 2);
        assert!(p.relocations.iter().any(|r| r.symbol == "xsks"));
        assert!(redirect_program(3).is_ok());
        assert_eq!(PKTGEN_TX.maps.as_ref(), &[PKTGEN_COUNT]);
    }
}
