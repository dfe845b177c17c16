//! The context layouts, in one place: the fields of `struct xdp_md` (XDP programs) and
//! `struct __sk_buff` (socket filters and tc programs) by byte offset, as in the kernel's
//! `include/uapi/linux/bpf.h`. The XDP builders ([`crate::xdp`]) load fields by these offsets;
//! the verifier's context-access rules (`verifier::ctx`) name fields with them.

/// `struct xdp_md` field names by offset.
pub const XDP_MD_FIELDS: &[(i32, &str)] = &[
    (0, "data"),
    (4, "data_end"),
    (8, "data_meta"),
    (12, "ingress_ifindex"),
    (16, "rx_queue_index"),
    (20, "egress_ifindex"),
];

/// `struct __sk_buff` field names by offset (the ones before `napi_id`).
pub const SK_BUFF_FIELDS: &[(i32, &str)] = &[
    (0, "len"),
    (4, "pkt_type"),
    (8, "mark"),
    (12, "queue_mapping"),
    (16, "protocol"),
    (20, "vlan_present"),
    (24, "vlan_tci"),
    (28, "vlan_proto"),
    (32, "priority"),
    (36, "ingress_ifindex"),
    (40, "ifindex"),
    (44, "tc_index"),
    (48, "cb[0]"),
    (52, "cb[1]"),
    (56, "cb[2]"),
    (60, "cb[3]"),
    (64, "cb[4]"),
    (68, "hash"),
    (72, "tc_classid"),
    (76, "data"),
    (80, "data_end"),
    (84, "napi_id"),
    (88, "family"),
    (92, "remote_ip4"),
    (96, "local_ip4"),
    (100, "remote_ip6"),
    (116, "local_ip6"),
    (132, "remote_port"),
    (136, "local_port"),
    (140, "data_meta"),
    (144, "flow_keys"),
    (152, "tstamp"),
    (160, "wire_len"),
    (164, "gso_segs"),
    (168, "sk"),
    (176, "gso_size"),
    (180, "tstamp_type"),
    (184, "hwtstamp"),
];

/// The fields of `struct xdp_md`, the context an XDP program receives in `r1` (all `__u32`;
/// `data`, `data_end` and `data_meta` are rewritten by the verifier into packet pointers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum XdpMdField {
    /// `data` (offset 0): start of the packet.
    Data,
    /// `data_end` (offset 4): one past the last byte of the packet.
    DataEnd,
    /// `data_meta` (offset 8): start of the metadata area before `data` (kernel 4.15).
    DataMeta,
    /// `ingress_ifindex` (offset 12): the receiving interface (kernel 4.16).
    IngressIfindex,
    /// `rx_queue_index` (offset 16): the receive queue; the XSKMAP key of AF_XDP (kernel 4.16).
    RxQueueIndex,
    /// `egress_ifindex` (offset 20): the transmit interface, devmap programs only (kernel 5.8).
    EgressIfindex,
}

impl XdpMdField {
    /// Every field, in struct order.
    pub const ALL: [XdpMdField; 6] = [
        XdpMdField::Data,
        XdpMdField::DataEnd,
        XdpMdField::DataMeta,
        XdpMdField::IngressIfindex,
        XdpMdField::RxQueueIndex,
        XdpMdField::EgressIfindex,
    ];

    /// The byte offset in `struct xdp_md`.
    pub const fn offset(self) -> i16 {
        XDP_MD_FIELDS[self as usize].0 as i16
    }

    /// The C field name (`rx_queue_index`).
    pub const fn name(self) -> &'static str {
        XDP_MD_FIELDS[self as usize].1
    }

    /// The field called `name`: the C name (`rx_queue_index`) or clj-ebpf's keyword spelling
    /// (`rx-queue-index`).
    pub fn from_name(name: &str) -> Option<XdpMdField> {
        let name = name.strip_prefix(':').unwrap_or(name);
        XdpMdField::ALL
            .into_iter()
            .find(|f| f.name() == name || f.name().replace('_', "-") == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdp_md_field_enum_follows_the_table() {
        assert_eq!(XdpMdField::ALL.len(), XDP_MD_FIELDS.len());
        for (i, f) in XdpMdField::ALL.into_iter().enumerate() {
            assert_eq!(f as usize, i);
            assert_eq!(i32::from(f.offset()), XDP_MD_FIELDS[i].0);
        }
        assert_eq!(XdpMdField::RxQueueIndex.offset(), 16);
        assert_eq!(XdpMdField::EgressIfindex.name(), "egress_ifindex");
    }
}
