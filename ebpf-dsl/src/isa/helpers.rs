//! The kernel's BPF helper functions: the number a `call` instruction's `imm` carries and the
//! name the C headers give it (`BPF_FUNC_map_lookup_elem` = 1, called as `bpf_map_lookup_elem`).
//!
//! The table follows `___BPF_FUNC_MAPPER` in the kernel's `include/uapi/linux/bpf.h`, which
//! numbers the helpers 1 (`bpf_map_lookup_elem`) to 211 (`bpf_cgrp_storage_delete`, Linux 6.2).
//! The list is frozen upstream: new kernel functionality is added as kfuncs (called with
//! `src_reg = BPF_PSEUDO_KFUNC_CALL` and a BTF id), not as helpers. Id 0 (`BPF_FUNC_unspec`)
//! is not a helper and is not in the table.
//!
//! Argument and return types live with the verifier, keyed by [`Helper::id`].

/// One kernel helper function.
///
/// The struct is `#[non_exhaustive]` so that more per-helper facts can be added later without
/// breaking users; read it through [`helper_by_name`], [`helper_by_id`] or [`HELPERS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Helper {
    /// The helper number (`enum bpf_func_id`), the `imm` of `call`.
    pub id: u32,
    /// The C name with its `bpf_` prefix, e.g. `bpf_map_lookup_elem`.
    pub name: &'static str,
}

const fn h(id: u32, name: &'static str) -> Helper {
    Helper { id, name }
}

/// The highest helper number the table knows (`BPF_FUNC_cgrp_storage_delete`, Linux 6.2).
pub const MAX_HELPER_ID: u32 = 211;

/// Every helper, in id order: `HELPERS[i].id == i + 1`.
pub static HELPERS: [Helper; MAX_HELPER_ID as usize] = [
    h(1, "bpf_map_lookup_elem"),
    h(2, "bpf_map_update_elem"),
    h(3, "bpf_map_delete_elem"),
    h(4, "bpf_probe_read"),
    h(5, "bpf_ktime_get_ns"),
    h(6, "bpf_trace_printk"),
    h(7, "bpf_get_prandom_u32"),
    h(8, "bpf_get_smp_processor_id"),
    h(9, "bpf_skb_store_bytes"),
    h(10, "bpf_l3_csum_replace"),
    h(11, "bpf_l4_csum_replace"),
    h(12, "bpf_tail_call"),
    h(13, "bpf_clone_redirect"),
    h(14, "bpf_get_current_pid_tgid"),
    h(15, "bpf_get_current_uid_gid"),
    h(16, "bpf_get_current_comm"),
    h(17, "bpf_get_cgroup_classid"),
    h(18, "bpf_skb_vlan_push"),
    h(19, "bpf_skb_vlan_pop"),
    h(20, "bpf_skb_get_tunnel_key"),
    h(21, "bpf_skb_set_tunnel_key"),
    h(22, "bpf_perf_event_read"),
    h(23, "bpf_redirect"),
    h(24, "bpf_get_route_realm"),
    h(25, "bpf_perf_event_output"),
    h(26, "bpf_skb_load_bytes"),
    h(27, "bpf_get_stackid"),
    h(28, "bpf_csum_diff"),
    h(29, "bpf_skb_get_tunnel_opt"),
    h(30, "bpf_skb_set_tunnel_opt"),
    h(31, "bpf_skb_change_proto"),
    h(32, "bpf_skb_change_type"),
    h(33, "bpf_skb_under_cgroup"),
    h(34, "bpf_get_hash_recalc"),
    h(35, "bpf_get_current_task"),
    h(36, "bpf_probe_write_user"),
    h(37, "bpf_current_task_under_cgroup"),
    h(38, "bpf_skb_change_tail"),
    h(39, "bpf_skb_pull_data"),
    h(40, "bpf_csum_update"),
    h(41, "bpf_set_hash_invalid"),
    h(42, "bpf_get_numa_node_id"),
    h(43, "bpf_skb_change_head"),
    h(44, "bpf_xdp_adjust_head"),
    h(45, "bpf_probe_read_str"),
    h(46, "bpf_get_socket_cookie"),
    h(47, "bpf_get_socket_uid"),
    h(48, "bpf_set_hash"),
    h(49, "bpf_setsockopt"),
    h(50, "bpf_skb_adjust_room"),
    h(51, "bpf_redirect_map"),
    h(52, "bpf_sk_redirect_map"),
    h(53, "bpf_sock_map_update"),
    h(54, "bpf_xdp_adjust_meta"),
    h(55, "bpf_perf_event_read_value"),
    h(56, "bpf_perf_prog_read_value"),
    h(57, "bpf_getsockopt"),
    h(58, "bpf_override_return"),
    h(59, "bpf_sock_ops_cb_flags_set"),
    h(60, "bpf_msg_redirect_map"),
    h(61, "bpf_msg_apply_bytes"),
    h(62, "bpf_msg_cork_bytes"),
    h(63, "bpf_msg_pull_data"),
    h(64, "bpf_bind"),
    h(65, "bpf_xdp_adjust_tail"),
    h(66, "bpf_skb_get_xfrm_state"),
    h(67, "bpf_get_stack"),
    h(68, "bpf_skb_load_bytes_relative"),
    h(69, "bpf_fib_lookup"),
    h(70, "bpf_sock_hash_update"),
    h(71, "bpf_msg_redirect_hash"),
    h(72, "bpf_sk_redirect_hash"),
    h(73, "bpf_lwt_push_encap"),
    h(74, "bpf_lwt_seg6_store_bytes"),
    h(75, "bpf_lwt_seg6_adjust_srh"),
    h(76, "bpf_lwt_seg6_action"),
    h(77, "bpf_rc_repeat"),
    h(78, "bpf_rc_keydown"),
    h(79, "bpf_skb_cgroup_id"),
    h(80, "bpf_get_current_cgroup_id"),
    h(81, "bpf_get_local_storage"),
    h(82, "bpf_sk_select_reuseport"),
    h(83, "bpf_skb_ancestor_cgroup_id"),
    h(84, "bpf_sk_lookup_tcp"),
    h(85, "bpf_sk_lookup_udp"),
    h(86, "bpf_sk_release"),
    h(87, "bpf_map_push_elem"),
    h(88, "bpf_map_pop_elem"),
    h(89, "bpf_map_peek_elem"),
    h(90, "bpf_msg_push_data"),
    h(91, "bpf_msg_pop_data"),
    h(92, "bpf_rc_pointer_rel"),
    h(93, "bpf_spin_lock"),
    h(94, "bpf_spin_unlock"),
    h(95, "bpf_sk_fullsock"),
    h(96, "bpf_tcp_sock"),
    h(97, "bpf_skb_ecn_set_ce"),
    h(98, "bpf_get_listener_sock"),
    h(99, "bpf_skc_lookup_tcp"),
    h(100, "bpf_tcp_check_syncookie"),
    h(101, "bpf_sysctl_get_name"),
    h(102, "bpf_sysctl_get_current_value"),
    h(103, "bpf_sysctl_get_new_value"),
    h(104, "bpf_sysctl_set_new_value"),
    h(105, "bpf_strtol"),
    h(106, "bpf_strtoul"),
    h(107, "bpf_sk_storage_get"),
    h(108, "bpf_sk_storage_delete"),
    h(109, "bpf_send_signal"),
    h(110, "bpf_tcp_gen_syncookie"),
    h(111, "bpf_skb_output"),
    h(112, "bpf_probe_read_user"),
    h(113, "bpf_probe_read_kernel"),
    h(114, "bpf_probe_read_user_str"),
    h(115, "bpf_probe_read_kernel_str"),
    h(116, "bpf_tcp_send_ack"),
    h(117, "bpf_send_signal_thread"),
    h(118, "bpf_jiffies64"),
    h(119, "bpf_read_branch_records"),
    h(120, "bpf_get_ns_current_pid_tgid"),
    h(121, "bpf_xdp_output"),
    h(122, "bpf_get_netns_cookie"),
    h(123, "bpf_get_current_ancestor_cgroup_id"),
    h(124, "bpf_sk_assign"),
    h(125, "bpf_ktime_get_boot_ns"),
    h(126, "bpf_seq_printf"),
    h(127, "bpf_seq_write"),
    h(128, "bpf_sk_cgroup_id"),
    h(129, "bpf_sk_ancestor_cgroup_id"),
    h(130, "bpf_ringbuf_output"),
    h(131, "bpf_ringbuf_reserve"),
    h(132, "bpf_ringbuf_submit"),
    h(133, "bpf_ringbuf_discard"),
    h(134, "bpf_ringbuf_query"),
    h(135, "bpf_csum_level"),
    h(136, "bpf_skc_to_tcp6_sock"),
    h(137, "bpf_skc_to_tcp_sock"),
    h(138, "bpf_skc_to_tcp_timewait_sock"),
    h(139, "bpf_skc_to_tcp_request_sock"),
    h(140, "bpf_skc_to_udp6_sock"),
    h(141, "bpf_get_task_stack"),
    h(142, "bpf_load_hdr_opt"),
    h(143, "bpf_store_hdr_opt"),
    h(144, "bpf_reserve_hdr_opt"),
    h(145, "bpf_inode_storage_get"),
    h(146, "bpf_inode_storage_delete"),
    h(147, "bpf_d_path"),
    h(148, "bpf_copy_from_user"),
    h(149, "bpf_snprintf_btf"),
    h(150, "bpf_seq_printf_btf"),
    h(151, "bpf_skb_cgroup_classid"),
    h(152, "bpf_redirect_neigh"),
    h(153, "bpf_per_cpu_ptr"),
    h(154, "bpf_this_cpu_ptr"),
    h(155, "bpf_redirect_peer"),
    h(156, "bpf_task_storage_get"),
    h(157, "bpf_task_storage_delete"),
    h(158, "bpf_get_current_task_btf"),
    h(159, "bpf_bprm_opts_set"),
    h(160, "bpf_ktime_get_coarse_ns"),
    h(161, "bpf_ima_inode_hash"),
    h(162, "bpf_sock_from_file"),
    h(163, "bpf_check_mtu"),
    h(164, "bpf_for_each_map_elem"),
    h(165, "bpf_snprintf"),
    h(166, "bpf_sys_bpf"),
    h(167, "bpf_btf_find_by_name_kind"),
    h(168, "bpf_sys_close"),
    h(169, "bpf_timer_init"),
    h(170, "bpf_timer_set_callback"),
    h(171, "bpf_timer_start"),
    h(172, "bpf_timer_cancel"),
    h(173, "bpf_get_func_ip"),
    h(174, "bpf_get_attach_cookie"),
    h(175, "bpf_task_pt_regs"),
    h(176, "bpf_get_branch_snapshot"),
    h(177, "bpf_trace_vprintk"),
    h(178, "bpf_skc_to_unix_sock"),
    h(179, "bpf_kallsyms_lookup_name"),
    h(180, "bpf_find_vma"),
    h(181, "bpf_loop"),
    h(182, "bpf_strncmp"),
    h(183, "bpf_get_func_arg"),
    h(184, "bpf_get_func_ret"),
    h(185, "bpf_get_func_arg_cnt"),
    h(186, "bpf_get_retval"),
    h(187, "bpf_set_retval"),
    h(188, "bpf_xdp_get_buff_len"),
    h(189, "bpf_xdp_load_bytes"),
    h(190, "bpf_xdp_store_bytes"),
    h(191, "bpf_copy_from_user_task"),
    h(192, "bpf_skb_set_tstamp"),
    h(193, "bpf_ima_file_hash"),
    h(194, "bpf_kptr_xchg"),
    h(195, "bpf_map_lookup_percpu_elem"),
    h(196, "bpf_skc_to_mptcp_sock"),
    h(197, "bpf_dynptr_from_mem"),
    h(198, "bpf_ringbuf_reserve_dynptr"),
    h(199, "bpf_ringbuf_submit_dynptr"),
    h(200, "bpf_ringbuf_discard_dynptr"),
    h(201, "bpf_dynptr_read"),
    h(202, "bpf_dynptr_write"),
    h(203, "bpf_dynptr_data"),
    h(204, "bpf_tcp_raw_gen_syncookie_ipv4"),
    h(205, "bpf_tcp_raw_gen_syncookie_ipv6"),
    h(206, "bpf_tcp_raw_check_syncookie_ipv4"),
    h(207, "bpf_tcp_raw_check_syncookie_ipv6"),
    h(208, "bpf_ktime_get_tai_ns"),
    h(209, "bpf_user_ringbuf_drain"),
    h(210, "bpf_cgrp_storage_get"),
    h(211, "bpf_cgrp_storage_delete"),
];

/// The helper numbered `id`, or `None` for 0 and numbers beyond [`MAX_HELPER_ID`].
pub fn helper_by_id(id: u32) -> Option<&'static Helper> {
    let index = usize::try_from(id.checked_sub(1)?).ok()?;
    HELPERS.get(index)
}

/// The helper called `name`. Both the C name (`bpf_redirect_map`) and the name without its
/// `bpf_` prefix (`redirect_map`, as in `BPF_FUNC_redirect_map`) are accepted.
pub fn helper_by_name(name: &str) -> Option<&'static Helper> {
    let full = HELPERS.iter().find(|h| h.name == name);
    full.or_else(|| {
        HELPERS
            .iter()
            .find(|h| h.name.strip_prefix("bpf_") == Some(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_in_order() {
        for (i, h) in HELPERS.iter().enumerate() {
            assert_eq!(h.id as usize, i + 1, "{}", h.name);
            assert_eq!(helper_by_id(h.id), Some(h));
            assert_eq!(helper_by_name(h.name), Some(h));
            assert!(h.name.starts_with("bpf_"), "{}", h.name);
        }
    }

    #[test]
    fn well_known_ids() {
        // Numbers from include/uapi/linux/bpf.h (Linux 6.x).
        let known = [
            ("bpf_map_lookup_elem", 1),
            ("bpf_map_update_elem", 2),
            ("bpf_map_delete_elem", 3),
            ("bpf_trace_printk", 6),
            ("bpf_get_prandom_u32", 7),
            ("bpf_tail_call", 12),
            ("bpf_redirect", 23),
            ("bpf_perf_event_output", 25),
            ("bpf_xdp_adjust_head", 44),
            ("bpf_redirect_map", 51),
            ("bpf_xdp_adjust_meta", 54),
            ("bpf_xdp_adjust_tail", 65),
            ("bpf_fib_lookup", 69),
            ("bpf_ktime_get_boot_ns", 125),
            ("bpf_ringbuf_output", 130),
            ("bpf_ringbuf_reserve", 131),
            ("bpf_ringbuf_submit", 132),
            ("bpf_loop", 181),
            ("bpf_xdp_get_buff_len", 188),
            ("bpf_xdp_load_bytes", 189),
            ("bpf_xdp_store_bytes", 190),
            ("bpf_user_ringbuf_drain", 209),
            ("bpf_cgrp_storage_get", 210),
            ("bpf_cgrp_storage_delete", 211),
        ];
        for (name, id) in known {
            assert_eq!(helper_by_name(name).map(|h| h.id), Some(id), "{name}");
            assert_eq!(helper_by_id(id).map(|h| h.name), Some(name));
        }
    }

    #[test]
    fn short_names_and_misses() {
        assert_eq!(helper_by_name("redirect_map").map(|h| h.id), Some(51));
        assert_eq!(helper_by_name("bpf_unspec"), None);
        assert_eq!(helper_by_name("unspec"), None);
        assert_eq!(helper_by_name("bpf_no_such_helper"), None);
        assert_eq!(helper_by_name(""), None);
        assert_eq!(helper_by_id(0), None);
        assert_eq!(helper_by_id(212), None);
        assert_eq!(helper_by_id(u32::MAX), None);
    }
}
