/* A stand-in for the kernel's internal <linux/if_vlan.h>: the UAPI header of that name, then
 * the 802.1Q header the kernel's version defines (`struct vlan_hdr`: TCI and the encapsulated
 * protocol), for programs built against a kernel tree (qosify). */
#include_next <linux/if_vlan.h>
#ifndef REAL_PROGRAMS_VLAN_HDR
#define REAL_PROGRAMS_VLAN_HDR
#include <linux/types.h>
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};
#endif
