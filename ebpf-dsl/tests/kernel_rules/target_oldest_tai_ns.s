# kernel: accept
# since: 6.1
# kernel log: (bpf_ktime_get_tai_ns is helper #208, new in 6.1: 6.1.192's uapi bpf.h has it, 5.10.262's ends at #155. A target before 6.1, the oldest the static verifier supports, is refused whatever the program, so 6.0 refuses this one too)
call bpf_ktime_get_tai_ns
r0 = 2
exit
