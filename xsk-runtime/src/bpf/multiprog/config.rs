//! `struct xdp_dispatcher_config`: the dispatcher's read-only configuration, the one value of
//! its frozen `.rodata`-like array map, byte for byte as libxdp lays it out (124 bytes).

use crate::error::{Error, Result};

/// `XDP_DISPATCHER_MAGIC`: the first byte of a version-2 configuration.
pub const DISPATCHER_MAGIC: u8 = 236;
/// `XDP_DISPATCHER_VERSION`: the protocol version implemented here.
pub const DISPATCHER_VERSION: u8 = 2;
/// `XDP_DISPATCHER_RETVAL`: what an empty slot returns; always a chain-call action.
pub const DISPATCHER_RETVAL: u32 = 31;
/// `MAX_DISPATCHER_ACTIONS`: slots of a dispatcher.
pub const MAX_PROGS: usize = 10;
/// Bytes of the configuration.
pub const CONFIG_SIZE: usize = 4 + 3 * 4 * MAX_PROGS;

/// The dispatcher configuration (`struct xdp_dispatcher_config`, version 2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DispatcherConfig {
    /// `magic`: [`DISPATCHER_MAGIC`].
    pub magic: u8,
    /// `dispatcher_version`: [`DISPATCHER_VERSION`].
    pub dispatcher_version: u8,
    /// `num_progs_enabled`: how many slots are in use.
    pub num_progs_enabled: u8,
    /// `is_xdp_frags`: the dispatcher was loaded with `BPF_F_XDP_HAS_FRAGS`.
    pub is_xdp_frags: u8,
    /// `chain_call_actions[i]`: bit `a` set = return code `a` of slot `i` runs the next slot
    /// (bit [`DISPATCHER_RETVAL`] always set).
    pub chain_call_actions: [u32; MAX_PROGS],
    /// `run_prios[i]`: the run priority of slot `i` (lower runs first).
    pub run_prios: [u32; MAX_PROGS],
    /// `program_flags[i]`: `BPF_F_XDP_HAS_FRAGS` if slot `i`'s program supports frags.
    pub program_flags: [u32; MAX_PROGS],
}

impl DispatcherConfig {
    /// A version-2 configuration with no slot in use.
    pub fn new() -> DispatcherConfig {
        DispatcherConfig {
            magic: DISPATCHER_MAGIC,
            dispatcher_version: DISPATCHER_VERSION,
            ..DispatcherConfig::default()
        }
    }

    /// The map value (native byte order, as the kernel and libxdp read it).
    pub fn encode(&self) -> [u8; CONFIG_SIZE] {
        let mut b = [0u8; CONFIG_SIZE];
        b[0] = self.magic;
        b[1] = self.dispatcher_version;
        b[2] = self.num_progs_enabled;
        b[3] = self.is_xdp_frags;
        let arrays = [
            &self.chain_call_actions,
            &self.run_prios,
            &self.program_flags,
        ];
        for (a, arr) in arrays.iter().enumerate() {
            for (i, v) in arr.iter().enumerate() {
                let at = 4 + a * 4 * MAX_PROGS + 4 * i;
                b[at..at + 4].copy_from_slice(&v.to_ne_bytes());
            }
        }
        b
    }

    /// Reads a map value; only version 2 (magic [`DISPATCHER_MAGIC`]) is accepted.
    pub fn decode(b: &[u8]) -> Result<DispatcherConfig> {
        if b.len() < 2 || b[0] != DISPATCHER_MAGIC {
            return Err(Error::invalid(
                "the dispatcher's configuration has no version-2 magic: it is a version-1 \
                 libxdp dispatcher (or not a dispatcher); unload its programs first \
                 (`xdp-loader unload IFACE --all`)",
            ));
        }
        if b[1] != DISPATCHER_VERSION {
            return Err(Error::invalid(format!(
                "libxdp dispatcher version {} is not supported (this library speaks version \
                 {DISPATCHER_VERSION}); unload its programs first",
                b[1]
            )));
        }
        if b.len() != CONFIG_SIZE {
            return Err(Error::invalid(format!(
                "the dispatcher configuration has {} bytes, version 2 has {CONFIG_SIZE}",
                b.len()
            )));
        }
        let word = |at: usize| u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        let mut c = DispatcherConfig {
            magic: b[0],
            dispatcher_version: b[1],
            num_progs_enabled: b[2],
            is_xdp_frags: b[3],
            ..DispatcherConfig::default()
        };
        for i in 0..MAX_PROGS {
            c.chain_call_actions[i] = word(4 + 4 * i);
            c.run_prios[i] = word(4 + 4 * MAX_PROGS + 4 * i);
            c.program_flags[i] = word(4 + 8 * MAX_PROGS + 4 * i);
        }
        if usize::from(c.num_progs_enabled) > MAX_PROGS {
            return Err(Error::invalid(format!(
                "the dispatcher configuration says {} programs, at most {MAX_PROGS} fit",
                c.num_progs_enabled
            )));
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_libxdp() {
        let mut c = DispatcherConfig::new();
        c.num_progs_enabled = 2;
        c.chain_call_actions[0] = 1 << 2 | 1 << 31;
        c.run_prios[1] = 50;
        c.program_flags[9] = 1 << 5;
        let b = c.encode();
        assert_eq!(b.len(), 124);
        assert_eq!(&b[..4], &[236, 2, 2, 0]);
        assert_eq!(&b[4..8], &(0x8000_0004u32).to_ne_bytes());
        // run_prios starts at bit 352 = byte 44, program_flags at bit 672 = byte 84.
        assert_eq!(&b[44 + 4..48 + 4], &50u32.to_ne_bytes());
        assert_eq!(&b[84 + 36..88 + 36], &32u32.to_ne_bytes());
        assert_eq!(DispatcherConfig::decode(&b).unwrap(), c);
    }

    #[test]
    fn other_versions_are_refused() {
        let mut b = DispatcherConfig::new().encode();
        b[1] = 3;
        assert!(DispatcherConfig::decode(&b).is_err());
        b[0] = 0;
        assert!(DispatcherConfig::decode(&b)
            .unwrap_err()
            .to_string()
            .contains("version-1"));
        assert!(DispatcherConfig::decode(&b[..1]).is_err());
        let mut b = DispatcherConfig::new().encode();
        b[2] = 11;
        assert!(DispatcherConfig::decode(&b).is_err());
    }
}
