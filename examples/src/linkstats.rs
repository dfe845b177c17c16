//! The kernel's packet counters of one end of the sandbox's veth pair (`ip -s link`, read in
//! its namespace), so a run can account for every frame: a veth whose peer's ring is full
//! drops frames and counts them here (`tx_dropped` on the sender, `rx_dropped` on the
//! receiver), which is the only loss a sandbox run may legitimately have.

use xsk_testkit::netns::{VethEnd, VethPair};

use crate::error::{Context, Error, Result};

/// `ip -s link` counters of one interface.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Packets received (including those XDP programs saw and dropped).
    pub rx_packets: u64,
    /// Packets dropped on receive.
    pub rx_dropped: u64,
    /// Packets sent.
    pub tx_packets: u64,
    /// Packets dropped on send (for veth: also XDP frames its peer's ring had no room for).
    pub tx_dropped: u64,
}

impl LinkStats {
    /// Reads the counters of `end` in its namespace.
    pub fn read(end: &VethEnd) -> Result<LinkStats> {
        let text = end
            .ns
            .ip(&["-s", "link", "show", "dev", &end.name])
            .context(format!("reading the counters of {}", end.name))?;
        LinkStats::parse(&text)
            .ok_or_else(|| Error::Failed(format!("unexpected `ip -s link` output:\n{text}")))
    }

    /// Parses `ip -s link show` output (the `RX:`/`TX:` header lines and the numbers under
    /// them, by column name).
    pub fn parse(text: &str) -> Option<LinkStats> {
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        let column = |dir: &str, name: &str| -> Option<u64> {
            let i = lines.iter().position(|l| l.starts_with(dir))?;
            let head: Vec<&str> = lines[i][dir.len()..].split_whitespace().collect();
            let values: Vec<&str> = lines.get(i + 1)?.split_whitespace().collect();
            values
                .get(head.iter().position(|h| *h == name)?)?
                .parse()
                .ok()
        };
        Some(LinkStats {
            rx_packets: column("RX:", "packets")?,
            rx_dropped: column("RX:", "dropped")?,
            tx_packets: column("TX:", "packets")?,
            tx_dropped: column("TX:", "dropped")?,
        })
    }

    /// The one line the examples print for an end (`side`: `left` or `right`):
    /// `sandbox: counters of the left end NAME: rx_packets=N rx_dropped=N tx_packets=N
    /// tx_dropped=N`.
    pub fn line(&self, side: &str, name: &str) -> String {
        format!(
            "sandbox: counters of the {side} end {name}: rx_packets={} rx_dropped={} \
             tx_packets={} tx_dropped={}",
            self.rx_packets, self.rx_dropped, self.tx_packets, self.tx_dropped
        )
    }
}

/// Prints (to stderr) the counters of both ends of `pair`, right end first; a failure to read
/// them is printed too, not fatal.
pub fn print_pair(pair: &VethPair) {
    for (side, end) in [("right", &pair.right), ("left", &pair.left)] {
        match LinkStats::read(end) {
            Ok(s) => eprintln!("{}", s.line(side, &end.name)),
            Err(e) => eprintln!("sandbox: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iproute2_output() {
        let text = "7: veth0@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue\n    \
                    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns x\n    \
                    RX:  bytes packets errors dropped  missed   mcast\n          \
                    6386      58      0       3       0       0\n    \
                    TX:  bytes packets errors dropped carrier collsns\n          \
                    9000      70      0       5       0       0\n";
        let s = LinkStats::parse(text).unwrap();
        assert_eq!(
            s,
            LinkStats {
                rx_packets: 58,
                rx_dropped: 3,
                tx_packets: 70,
                tx_dropped: 5
            }
        );
        assert_eq!(LinkStats::parse("no counters"), None);
    }
}
