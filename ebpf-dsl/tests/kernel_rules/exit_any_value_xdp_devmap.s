# kernel: accept
# section: xdp/devmap
# note: a devmap program's return value is not range-checked either
r0 = 1000
exit
