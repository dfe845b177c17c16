# kernel: accept
# type: socket_filter
# The same loop entered at its first instruction and closed by the conditional jump: every
# kernel takes it (the back edge is the jump's).
r0 = 0
body:
r0 += 1
if r0 < 4 goto body
exit
