# kernel: accept
# section: xdp/devmap
# A DEVMAP program may read egress_ifindex with a sign-extending load too.
r0 = *(s32 *)(r1 + 20)
r0 = 2
exit
