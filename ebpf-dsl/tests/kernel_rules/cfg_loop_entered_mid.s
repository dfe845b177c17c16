# kernel: accept
# since: 6.7
# type: socket_filter
# A bounded loop entered in its middle: the walk of check_cfg reaches the loop's test first
# (by the goto), so the loop is closed by the fall-through of `r0 += 1` into an instruction
# still on the walk's stack. Kernels before 6.7 allow a back edge only from a jump ("back-edge
# from insn 3 to 4", 6.1.192 in QEMU); later ones leave the loop to the walk.
r0 = 0
goto test
body:
r0 += 1
test:
if r0 < 4 goto body
exit
