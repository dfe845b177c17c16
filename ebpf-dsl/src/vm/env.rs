//! What a program sees of the world outside its memory, under the test's control: the clock,
//! the random numbers, the FIB table, the CPU, and what it leaves behind (the redirect target,
//! the `bpf_trace_printk` lines).

/// Where a redirecting program asked the packet to go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// `bpf_redirect(ifindex, flags)`: out of an interface.
    Ifindex(u32),
    /// `bpf_redirect_map(map, key, flags)` with an entry present.
    Map {
        /// The map's name.
        map: String,
        /// The key (the queue, ifindex slot or CPU).
        key: u32,
    },
}

/// One route of the FIB table `bpf_fib_lookup` consults (IPv4 or IPv6, longest prefix wins).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FibRoute {
    /// The destination prefix: 4 bytes for IPv4, 16 for IPv6.
    pub prefix: Vec<u8>,
    /// The prefix length in bits.
    pub prefix_len: u8,
    /// The egress interface.
    pub ifindex: u32,
    /// The source MAC address (the egress interface's).
    pub smac: [u8; 6],
    /// The destination MAC address (the neighbour's).
    pub dmac: [u8; 6],
}

/// The run's environment; a [`crate::vm::Vm`] keeps one across runs.
#[derive(Clone, Debug)]
pub struct Env {
    /// `bpf_ktime_get_ns` (and the boot / coarse / tai clocks) returns this.
    pub clock_ns: u64,
    /// Added to the clock after every read (0: the clock stands still).
    pub clock_step_ns: u64,
    /// The state of `bpf_get_prandom_u32` (xorshift64*, never 0).
    pub rng: u64,
    /// The routes of `bpf_fib_lookup`.
    pub fib: Vec<FibRoute>,
    /// The lines `bpf_trace_printk` printed.
    pub printk: Vec<String>,
    /// The redirect target of the last `bpf_redirect*` call.
    pub redirect: Option<Redirect>,
}

impl Default for Env {
    fn default() -> Env {
        Env {
            clock_ns: 1_000_000_000,
            clock_step_ns: 0,
            rng: 0x9e37_79b9_7f4a_7c15,
            fib: Vec::new(),
            printk: Vec::new(),
            redirect: None,
        }
    }
}

impl Env {
    /// The next random `u32`.
    pub fn next_random(&mut self) -> u32 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32
    }

    /// Reads the clock and advances it by `clock_step_ns`.
    pub fn now(&mut self) -> u64 {
        let t = self.clock_ns;
        self.clock_ns = self.clock_ns.wrapping_add(self.clock_step_ns);
        t
    }

    /// The longest-prefix route to `dst` (4 or 16 bytes).
    pub fn route(&self, dst: &[u8]) -> Option<&FibRoute> {
        self.fib
            .iter()
            .filter(|r| r.prefix.len() == dst.len() && prefix_matches(&r.prefix, dst, r.prefix_len))
            .max_by_key(|r| r.prefix_len)
    }
}

fn prefix_matches(prefix: &[u8], addr: &[u8], bits: u8) -> bool {
    (0..bits as usize).all(|i| {
        let m = 0x80u8 >> (i % 8);
        prefix[i / 8] & m == addr[i / 8] & m
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_random_is_reproducible() {
        let (mut a, mut b) = (Env::default(), Env::default());
        let xs: Vec<u32> = (0..4).map(|_| a.next_random()).collect();
        let ys: Vec<u32> = (0..4).map(|_| b.next_random()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], xs[1]);
    }

    #[test]
    fn clock_steps_and_routes_match_longest_prefix() {
        let mut e = Env {
            clock_step_ns: 5,
            ..Env::default()
        };
        assert_eq!(e.now() + 5, e.now());
        let route = |p: [u8; 4], l, ifindex| FibRoute {
            prefix: p.to_vec(),
            prefix_len: l,
            ifindex,
            smac: [0; 6],
            dmac: [0; 6],
        };
        e.fib = vec![route([10, 0, 0, 0], 8, 1), route([10, 1, 0, 0], 16, 2)];
        assert_eq!(e.route(&[10, 1, 2, 3]).unwrap().ifindex, 2);
        assert_eq!(e.route(&[10, 2, 2, 3]).unwrap().ifindex, 1);
        assert!(e.route(&[11, 1, 2, 3]).is_none());
    }
}
