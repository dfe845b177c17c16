//! Packet bytes: building Ethernet/IPv4/UDP frames, parsing them without panicking on any
//! input, checksums, and the in-place rewrites of l2fwd and echo.

use std::net::Ipv4Addr;

/// Ethernet header length.
pub const ETH_HLEN: usize = 14;
/// IPv4 header length without options.
pub const IPV4_HLEN: usize = 20;
/// UDP header length.
pub const UDP_HLEN: usize = 8;
/// EtherType of IPv4.
pub const ETH_P_IP: u16 = 0x0800;
/// IP protocol number of UDP.
pub const IPPROTO_UDP: u8 = 17;
/// IP protocol number of TCP.
pub const IPPROTO_TCP: u8 = 6;
/// IP protocol number of ICMP.
pub const IPPROTO_ICMP: u8 = 1;

/// Sum of 16-bit big-endian words (an odd last byte padded with zero), not yet folded: a
/// value with the same remainder modulo 0xffff as that sum, and 0 only if it is 0, which is
/// all [`fold`] looks at.
///
/// It adds 64-bit big-endian words with the carry out of bit 63 added back in (one's
/// complement addition modulo 2^64 - 1, a multiple of 0xffff, where the word of 16-bit parts
/// `a, b, c, d` is `a + b + c + d`), then folds the 64 bits into 32: an eighth of the
/// additions of a 16-bit loop, on every answer of the echo servers.
fn sum16(data: &[u8], sum: u32) -> u32 {
    sum16_from(data, u64::from(sum))
}

/// One's complement addition modulo 2^64 - 1: the carry out of bit 63 added back in (no
/// overflow: with a carry, the wrapped sum is at most 2^64 - 2). A non-zero `a` stays
/// non-zero.
#[inline(always)]
fn add_carry(a: u64, b: u64) -> u64 {
    let (s, carry) = a.overflowing_add(b);
    s + u64::from(carry)
}

/// [`sum16`] with a 64-bit sum carried in (any value: it is taken modulo 2^64 - 1).
#[inline]
fn sum16_from(data: &[u8], sum: u64) -> u32 {
    let mut acc = sum;
    let mut add = |v: u64| acc = add_carry(acc, v);
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        add(u64::from_be_bytes([
            w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7],
        ]));
    }
    // The last 0-7 bytes in one 64-bit word: 4, then 2, then 1 of them, in bits 32-63, 16-31
    // and 8-15 (a shift by a multiple of 16 changes nothing modulo 0xffff; the odd last byte
    // is the high byte of its 16-bit word).
    let mut tail = 0u64;
    let mut rest = words.remainder();
    if let [a, b, c, d, r @ ..] = rest {
        tail |= u64::from(u32::from_be_bytes([*a, *b, *c, *d])) << 32;
        rest = r;
    }
    if let [a, b, r @ ..] = rest {
        tail |= u64::from(u16::from_be_bytes([*a, *b])) << 16;
        rest = r;
    }
    if let [b] = rest {
        tail |= u64::from(*b) << 8;
    }
    add(tail);
    // 2^32 is 1 modulo 0xffff; neither step can overflow, nor make a non-zero sum 0.
    let folded = (acc & u64::from(u32::MAX)) + (acc >> 32);
    ((folded & u64::from(u32::MAX)) + (folded >> 32)) as u32
}

fn fold(sum: u32) -> u16 {
    // Two steps always suffice: the first leaves at most 0x1fffe, the second at most 0xffff.
    let sum = (sum & 0xffff) + (sum >> 16);
    let sum = (sum & 0xffff) + (sum >> 16);
    !(sum as u16)
}

/// The Internet checksum (RFC 1071) of `data`.
pub fn csum(data: &[u8]) -> u16 {
    fold(sum16(data, 0))
}

/// The UDP checksum of `udp` (header + payload, its checksum field counted as is) with the
/// IPv4 pseudo-header of `src`/`dst`; 0 is sent as 0xffff (0 means "no checksum").
pub fn udp_checksum(src: [u8; 4], dst: [u8; 4], udp: &[u8]) -> u16 {
    // The pseudo-header: both addresses as one 64-bit word, the protocol and the length.
    let [a, b, c, d] = src;
    let [e, f, g, h] = dst;
    let ips = u64::from_be_bytes([a, b, c, d, e, f, g, h]);
    let pseudo = add_carry(ips, u64::from(IPPROTO_UDP) + udp.len() as u64);
    match fold(sum16_from(udp, pseudo)) {
        0 => 0xffff,
        c => c,
    }
}

/// Parses a MAC address `aa:bb:cc:dd:ee:ff`.
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = s.split(':');
    for b in &mut out {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// Formats a MAC address.
pub fn mac_string(mac: &[u8; 6]) -> String {
    xsk_testkit::netns::mac_string(mac)
}

/// The addresses and ports of a UDP frame to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpFlow {
    /// Source MAC.
    pub src_mac: [u8; 6],
    /// Destination MAC.
    pub dst_mac: [u8; 6],
    /// Source IPv4 address.
    pub src_ip: Ipv4Addr,
    /// Destination IPv4 address.
    pub dst_ip: Ipv4Addr,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
}

/// Builds an Ethernet + IPv4 + UDP frame with valid IPv4 and UDP checksums.
pub fn udp_frame(flow: &UdpFlow, payload: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(ETH_HLEN + IPV4_HLEN + UDP_HLEN + payload.len());
    p.extend_from_slice(&flow.dst_mac);
    p.extend_from_slice(&flow.src_mac);
    p.extend_from_slice(&ETH_P_IP.to_be_bytes());
    let total = (IPV4_HLEN + UDP_HLEN + payload.len()) as u16;
    let mut ip = [0u8; IPV4_HLEN];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    ip[6] = 0x40; // don't fragment
    ip[8] = 64;
    ip[9] = IPPROTO_UDP;
    ip[12..16].copy_from_slice(&flow.src_ip.octets());
    ip[16..20].copy_from_slice(&flow.dst_ip.octets());
    let c = csum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    p.extend_from_slice(&ip);
    let ulen = (UDP_HLEN + payload.len()) as u16;
    let udp_start = p.len();
    p.extend_from_slice(&flow.src_port.to_be_bytes());
    p.extend_from_slice(&flow.dst_port.to_be_bytes());
    p.extend_from_slice(&ulen.to_be_bytes());
    p.extend_from_slice(&[0, 0]);
    p.extend_from_slice(payload);
    let c = udp_checksum(flow.src_ip.octets(), flow.dst_ip.octets(), &p[udp_start..]);
    p[udp_start + 6..udp_start + 8].copy_from_slice(&c.to_be_bytes());
    p
}

/// What [`parse`] found in a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<'a> {
    /// IPv4 UDP.
    Udp {
        /// Source address.
        src: Ipv4Addr,
        /// Destination address.
        dst: Ipv4Addr,
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// The UDP payload (as long as the UDP length says, clipped to the frame).
        payload: &'a [u8],
    },
    /// IPv4, another protocol (its number).
    OtherIpv4(u8),
    /// Not IPv4 (the EtherType), or too short to tell (0).
    NotIpv4(u16),
}

/// Parses an Ethernet frame as far as IPv4/UDP; never panics.
pub fn parse(frame: &[u8]) -> Parsed<'_> {
    let Some(et) = frame.get(12..14) else {
        return Parsed::NotIpv4(0);
    };
    let ethertype = u16::from_be_bytes([et[0], et[1]]);
    if ethertype != ETH_P_IP {
        return Parsed::NotIpv4(ethertype);
    }
    let Some(ip) = frame.get(ETH_HLEN..ETH_HLEN + IPV4_HLEN) else {
        return Parsed::NotIpv4(ethertype);
    };
    let proto = ip[9];
    if proto != IPPROTO_UDP {
        return Parsed::OtherIpv4(proto);
    }
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    let src = Ipv4Addr::new(ip[12], ip[13], ip[14], ip[15]);
    let dst = Ipv4Addr::new(ip[16], ip[17], ip[18], ip[19]);
    let Some(udp) = frame.get(ETH_HLEN + ihl.max(IPV4_HLEN)..) else {
        return Parsed::OtherIpv4(proto);
    };
    if udp.len() < UDP_HLEN {
        return Parsed::OtherIpv4(proto);
    }
    let ulen = usize::from(u16::from_be_bytes([udp[4], udp[5]]));
    let end = ulen.clamp(UDP_HLEN, udp.len());
    Parsed::Udp {
        src,
        dst,
        sport: u16::from_be_bytes([udp[0], udp[1]]),
        dport: u16::from_be_bytes([udp[2], udp[3]]),
        payload: &udp[UDP_HLEN..end],
    }
}

/// Swaps the source and destination MAC addresses (l2fwd); frames shorter than 12 bytes are
/// left alone.
pub fn swap_macs(frame: &mut [u8]) {
    if frame.len() >= 12 {
        let (dst, rest) = frame.split_at_mut(6);
        dst.swap_with_slice(&mut rest[..6]);
    }
}

/// Turns a UDP request into its answer in place: swaps MACs, IPv4 addresses and UDP ports,
/// resets the TTL, and computes the IPv4 and UDP checksums afresh (a sender with checksum
/// offload, such as veth, leaves only the pseudo-header sum in the UDP field, so it must be
/// recomputed, not just kept). Returns false (frame untouched) if it is not IPv4 UDP or is
/// malformed.
pub fn echo_in_place(frame: &mut [u8]) -> bool {
    // What `parse` calls IPv4 UDP, with a whole IPv4 header (IHL at least 5) and a UDP length
    // that fits the frame: the fixed headers are read as arrays, one bounds check each.
    let Some(l3) = frame.first_chunk::<{ ETH_HLEN + IPV4_HLEN }>() else {
        return false;
    };
    if u16::from_be_bytes([l3[12], l3[13]]) != ETH_P_IP || l3[ETH_HLEN + 9] != IPPROTO_UDP {
        return false;
    }
    let ihl = usize::from(l3[ETH_HLEN] & 0x0f) * 4;
    let udp = ETH_HLEN + ihl;
    if ihl < IPV4_HLEN || frame.len() < udp + UDP_HLEN {
        return false;
    }
    let ulen = usize::from(u16::from_be_bytes([frame[udp + 4], frame[udp + 5]]));
    if ulen < UDP_HLEN || udp + ulen > frame.len() {
        return false;
    }
    let (head, l4) = frame.split_at_mut(udp);
    let Some(eth_ip) = head.first_chunk_mut::<{ ETH_HLEN + IPV4_HLEN }>() else {
        return false;
    };
    // Ethernet: MACs swapped.
    let macs: [u8; 12] = [
        eth_ip[6], eth_ip[7], eth_ip[8], eth_ip[9], eth_ip[10], eth_ip[11], eth_ip[0], eth_ip[1],
        eth_ip[2], eth_ip[3], eth_ip[4], eth_ip[5],
    ];
    eth_ip[..12].copy_from_slice(&macs);
    // IPv4: addresses swapped, TTL 64, checksum afresh.
    let ip = &mut eth_ip[ETH_HLEN..];
    let (src, dst) = (
        [ip[16], ip[17], ip[18], ip[19]],
        [ip[12], ip[13], ip[14], ip[15]],
    );
    ip[12..16].copy_from_slice(&src);
    ip[16..20].copy_from_slice(&dst);
    ip[8] = 64;
    ip[10] = 0;
    ip[11] = 0;
    let c = csum(&head[ETH_HLEN..]);
    head[ETH_HLEN + 10..ETH_HLEN + 12].copy_from_slice(&c.to_be_bytes());
    // UDP: ports swapped, checksum afresh.
    let l4 = &mut l4[..ulen];
    let Some(uh) = l4.first_chunk_mut::<UDP_HLEN>() else {
        return false;
    };
    *uh = [uh[2], uh[3], uh[0], uh[1], uh[4], uh[5], 0, 0];
    let c = udp_checksum(src, dst, l4);
    l4[6..8].copy_from_slice(&c.to_be_bytes());
    true
}

/// The payload of the demo's UDP datagram number `seq` of flow `flow`: the sequence number
/// (4 bytes, big endian), the flow (1 byte), then a pattern derived from both, 16 to 1,000
/// bytes long in all — so a lost, duplicated, truncated or altered datagram is recognised.
pub fn demo_payload(seq: u32, flow: u8) -> Vec<u8> {
    let len = 16 + (seq as usize).wrapping_mul(7919) % 985;
    let mut p = Vec::with_capacity(len);
    p.extend_from_slice(&seq.to_be_bytes());
    p.push(flow);
    let mut x = seq.wrapping_mul(2_654_435_761) ^ u32::from(flow);
    while p.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p.push(x as u8);
    }
    p
}

/// If `payload` is exactly what [`demo_payload`] makes for its own sequence number and flow,
/// returns them.
pub fn check_demo_payload(payload: &[u8]) -> Option<(u32, u8)> {
    let seq = u32::from_be_bytes(payload.get(..4)?.try_into().ok()?);
    let flow = *payload.get(4)?;
    (demo_payload(seq, flow) == payload).then_some((seq, flow))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow() -> UdpFlow {
        UdpFlow {
            src_mac: [2, 0, 0, 0, 0, 2],
            dst_mac: [2, 0, 0, 0, 0, 1],
            src_ip: Ipv4Addr::new(10, 77, 0, 2),
            dst_ip: Ipv4Addr::new(10, 77, 0, 1),
            src_port: 1234,
            dst_port: 9,
        }
    }

    /// The 16-bit words summed one by one, the textbook way (RFC 1071).
    fn fold_by_words(data: &[u8], mut sum: u64) -> u16 {
        for (i, b) in data.iter().enumerate() {
            sum += u64::from(*b) << if i % 2 == 0 { 8 } else { 0 };
        }
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        !(sum as u16)
    }

    #[test]
    fn checksum_of_64_bit_words_is_the_rfc1071_one() {
        // Every length up to a full frame (odd ones too), all-ones data (sums that carry the
        // most), zeros, and a pseudo-random pattern; each with a carried-in sum as well.
        let mut x = 0x1234_5678u32;
        let random: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let ones = vec![0xffu8; 4096];
        let zeros = vec![0u8; 4096];
        for data in [&random, &ones, &zeros] {
            for len in (0..=300).chain([1499, 1500, 4095, 4096]) {
                let d = &data[..len];
                assert_eq!(csum(d), fold_by_words(d, 0), "length {len}");
                for seed in [1u32, 0xffff, 0x1_fffe, 0xfff0_0000, u32::MAX] {
                    assert_eq!(
                        fold(sum16(d, seed)),
                        fold_by_words(d, u64::from(seed)),
                        "length {len}, sum carried in {seed:#x}"
                    );
                }
            }
        }
    }

    #[test]
    fn udp_checksum_is_the_rfc768_one() {
        // Addresses that carry the most (all ones), none, and ordinary ones; every length up
        // to 80 bytes of UDP, odd ones too.
        let addrs = [[255u8; 4], [0; 4], [10, 77, 0, 1], [192, 168, 255, 254]];
        for src in addrs {
            for dst in addrs {
                for len in 8..=80usize {
                    let mut udp: Vec<u8> = (0..len).map(|i| (i * 91 + 200) as u8).collect();
                    udp[4..6].copy_from_slice(&(len as u16).to_be_bytes());
                    udp[6..8].copy_from_slice(&[0, 0]);
                    let mut pseudo = Vec::new();
                    pseudo.extend_from_slice(&src);
                    pseudo.extend_from_slice(&dst);
                    pseudo.extend_from_slice(&[0, 17]);
                    pseudo.extend_from_slice(&(len as u16).to_be_bytes());
                    let start = pseudo.len();
                    pseudo.extend_from_slice(&udp);
                    let want = match fold_by_words(&pseudo, 0) {
                        0 => 0xffff,
                        c => c,
                    };
                    assert_eq!(udp_checksum(src, dst, &udp), want, "{src:?} {dst:?} {len}");
                    pseudo[start + 6..start + 8].copy_from_slice(&want.to_be_bytes());
                    assert_eq!(csum(&pseudo), 0);
                }
            }
        }
    }

    #[test]
    fn build_parse_and_checksums() {
        let f = udp_frame(&flow(), b"hello");
        assert_eq!(f.len(), 14 + 20 + 8 + 5);
        assert_eq!(csum(&f[14..34]), 0, "IPv4 header sums to zero");
        let mut pseudo = Vec::new();
        pseudo.extend_from_slice(&f[26..34]);
        pseudo.extend_from_slice(&[0, 17, 0, 13]);
        pseudo.extend_from_slice(&f[34..]);
        assert_eq!(csum(&pseudo), 0, "UDP checksum verifies");
        match parse(&f) {
            Parsed::Udp {
                sport,
                dport,
                payload,
                ..
            } => {
                assert_eq!((sport, dport, payload), (1234, 9, &b"hello"[..]))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn echo_swaps_and_fixes() {
        let mut f = udp_frame(&flow(), b"ping!");
        f[40] = 0x12; // a bad (offloaded) UDP checksum
        assert!(echo_in_place(&mut f));
        let mut back = flow();
        std::mem::swap(&mut back.src_mac, &mut back.dst_mac);
        std::mem::swap(&mut back.src_ip, &mut back.dst_ip);
        std::mem::swap(&mut back.src_port, &mut back.dst_port);
        assert_eq!(f, udp_frame(&back, b"ping!"));
    }

    #[test]
    fn echo_answers_verify_for_every_length_and_ip_options() {
        for with_options in [false, true] {
            for len in 0..=80usize {
                let payload: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
                let mut f = udp_frame(&flow(), &payload);
                if with_options {
                    // IHL 6: one 4-byte option (NOPs), IPv4 total length and checksum fixed.
                    f.splice(34..34, [1u8; 4]);
                    f[14] = 0x46;
                    let total = u16::from_be_bytes([f[16], f[17]]) + 4;
                    f[16..18].copy_from_slice(&total.to_be_bytes());
                }
                let ihl = if with_options { 24 } else { 20 };
                let udp = 14 + ihl;
                f[udp + 6] ^= 0x5a; // a wrong checksum, as an offloading sender leaves it
                assert!(echo_in_place(&mut f), "length {len}");
                assert_eq!(&f[..6], &flow().src_mac, "length {len}");
                assert_eq!(&f[6..12], &flow().dst_mac, "length {len}");
                assert_eq!(&f[26..30], &flow().dst_ip.octets());
                assert_eq!(&f[30..34], &flow().src_ip.octets());
                assert_eq!(f[22], 64);
                assert_eq!(&f[udp..udp + 4], &[0, 9, 0x04, 0xd2]);
                assert_eq!(csum(&f[14..udp]), 0, "IPv4 header, length {len}");
                let mut pseudo = Vec::new();
                pseudo.extend_from_slice(&f[26..34]);
                pseudo.extend_from_slice(&[0, 17]);
                pseudo.extend_from_slice(&((8 + len) as u16).to_be_bytes());
                pseudo.extend_from_slice(&f[udp..]);
                assert_eq!(csum(&pseudo), 0, "UDP checksum, length {len}");
                assert_eq!(&f[udp + 8..], &payload[..]);
            }
        }
    }

    #[test]
    fn malformed_input_never_panics() {
        for len in 0..60 {
            let mut f = udp_frame(&flow(), b"0123456789");
            f.truncate(len);
            let _ = parse(&f);
            let _ = echo_in_place(&mut f);
            swap_macs(&mut f);
        }
        let mut f = udp_frame(&flow(), b"x");
        f[14] = 0x4f; // IHL 60 bytes, longer than the frame
        assert!(!echo_in_place(&mut f));
        assert!(matches!(parse(&[0u8; 3]), Parsed::NotIpv4(0)));
    }

    #[test]
    fn demo_payloads_check() {
        for seq in [0u32, 1, 77, 99_999] {
            let p = demo_payload(seq, 3);
            assert!((16..=1000).contains(&p.len()));
            assert_eq!(check_demo_payload(&p), Some((seq, 3)));
            let mut bad = p.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert_eq!(check_demo_payload(&bad), None);
            assert_eq!(check_demo_payload(&p[..p.len() - 1]), None);
        }
        assert_eq!(parse_mac("02:00:00:00:00:0a"), Some([2, 0, 0, 0, 0, 10]));
        assert_eq!(parse_mac("02:00:00:00:00"), None);
        assert_eq!(parse_mac("02:00:00:00:00:00:01"), None);
    }
}
