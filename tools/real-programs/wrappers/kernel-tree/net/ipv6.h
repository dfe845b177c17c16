/* A stand-in for the kernel's internal <net/ipv6.h> (qosify includes it for nothing it uses
 * beyond <linux/ipv6.h>), for programs built against a kernel tree. */
#include <linux/ipv6.h>
