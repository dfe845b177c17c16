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
/// It adds 32-bit words (`hi * 2^16 + lo` is `hi + lo` modulo 0xffff) into 64 bits and folds
/// the carries back into 32 (2^32 - 1 is a multiple of 0xffff): a quarter of the additions of
/// a 16-bit loop, on every answer of the echo servers.
fn sum16(data: &[u8], sum: u32) -> u32 {
    let mut acc = u64::from(sum);
    let mut words = data.chunks_exact(4);
    for w in &mut words {
        acc += u64::from(u32::from_be_bytes([w[0], w[1], w[2], w[3]]));
    }
    let mut pairs = words.remainder().chunks_exact(2);
    for c in &mut pairs {
        acc += u64::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [b] = pairs.remainder() {
        acc += u64::from(*b) << 8;
    }
    while acc > u64::from(u32::MAX) {
        acc = (acc & u64::from(u32::MAX)) + (acc >> 32);
    }
    acc as u32
}

fn fold(mut sum: u32) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The Internet checksum (RFC 1071) of `data`.
pub fn csum(data: &[u8]) -> u16 {
    fold(sum16(data, 0))
}

/// The UDP checksum of `udp` (header + payload, its checksum field counted as is) with the
/// IPv4 pseudo-header of `src`/`dst`; 0 is sent as 0xffff (0 means "no checksum").
pub fn udp_checksum(src: [u8; 4], dst: [u8; 4], udp: &[u8]) -> u16 {
    let mut s = sum16(&src, 0);
    s = sum16(&dst, s);
    s = s.wrapping_add(u32::from(IPPROTO_UDP));
    s = s.wrapping_add(udp.len() as u32);
    s = sum16(udp, s);
    match fold(s) {
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
    if !matches!(parse(frame), Parsed::Udp { .. }) {
        return false;
    }
    let ihl = usize::from(frame[ETH_HLEN] & 0x0f) * 4;
    let udp = ETH_HLEN + ihl;
    if ihl < IPV4_HLEN || frame.len() < udp + UDP_HLEN {
        return false;
    }
    let ulen = usize::from(u16::from_be_bytes([frame[udp + 4], frame[udp + 5]]));
    if ulen < UDP_HLEN || udp + ulen > frame.len() {
        return false;
    }
    swap_macs(frame);
    for i in 0..4 {
        frame.swap(ETH_HLEN + 12 + i, ETH_HLEN + 16 + i);
    }
    frame.swap(udp, udp + 2);
    frame.swap(udp + 1, udp + 3);
    // IPv4: TTL 64, checksum afresh.
    frame[ETH_HLEN + 8] = 64;
    frame[ETH_HLEN + 10] = 0;
    frame[ETH_HLEN + 11] = 0;
    let c = csum(&frame[ETH_HLEN..ETH_HLEN + ihl]);
    frame[ETH_HLEN + 10..ETH_HLEN + 12].copy_from_slice(&c.to_be_bytes());
    // UDP checksum afresh.
    frame[udp + 6] = 0;
    frame[udp + 7] = 0;
    let mut src = [0u8; 4];
    let mut dst = [0u8; 4];
    src.copy_from_slice(&frame[ETH_HLEN + 12..ETH_HLEN + 16]);
    dst.copy_from_slice(&frame[ETH_HLEN + 16..ETH_HLEN + 20]);
    let c = udp_checksum(src, dst, &frame[udp..udp + ulen]);
    frame[udp + 6..udp + 8].copy_from_slice(&c.to_be_bytes());
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
    fn checksum_of_32_bit_words_is_the_rfc1071_one() {
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
                for seed in [1u32, 0xffff, 0x1_fffe, 0xfff0_0000] {
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
