/* A stand-in for BCC's <bcc/bcc_common.h> (libbpfcc-dev), which NetFoundry's zfw and
 * tc-ebpf-geneve-decapsulator include for the C99 integer types it brings in (<stdint.h>)
 * and nothing else. */
#include <stdint.h>
