//! Batch operations on any [`Map`] (kernel 5.6): `BPF_MAP_LOOKUP_BATCH`,
//! `BPF_MAP_LOOKUP_AND_DELETE_BATCH`, `BPF_MAP_UPDATE_BATCH`, `BPF_MAP_DELETE_BATCH`.

use super::{Map, UpdateFlags};
use crate::error::{Error, Result};

impl Map {
    /// All entries with `BPF_MAP_LOOKUP_BATCH` (kernel 5.6; hash, LRU and array maps), reading
    /// up to `chunk` elements per system call. With `delete`, uses
    /// `BPF_MAP_LOOKUP_AND_DELETE_BATCH` (hash maps) and empties the map.
    pub fn lookup_batch(&self, chunk: u32, delete: bool) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let chunk = chunk.max(1);
        let ks = self.fd.key_size();
        let vs = self.fd.value_bytes();
        let batch_len = ks.max(4);
        let mut keys = vec![0u8; ks * chunk as usize];
        let mut values = vec![0u8; vs * chunk as usize];
        let mut in_batch: Option<Vec<u8>> = None;
        let mut out_batch = vec![0u8; batch_len];
        let mut out = Vec::new();
        let op = if delete {
            "BPF_MAP_LOOKUP_AND_DELETE_BATCH"
        } else {
            "BPF_MAP_LOOKUP_BATCH"
        };
        let limit = self.max_entries() as usize + chunk as usize;
        loop {
            let (n, r) = self.fd.lookup_batch(
                delete,
                in_batch.as_deref(),
                &mut out_batch,
                &mut keys,
                &mut values,
                chunk,
            );
            let end = match r {
                Ok(()) => false,
                Err(libc::ENOENT) => true,
                Err(e) => return Err(self.err(op, e)),
            };
            for i in 0..n as usize {
                out.push((
                    keys[i * ks..(i + 1) * ks].to_vec(),
                    values[i * vs..(i + 1) * vs].to_vec(),
                ));
            }
            if end || out.len() > limit {
                return Ok(out);
            }
            in_batch = Some(out_batch.clone());
        }
    }

    /// `BPF_MAP_UPDATE_BATCH` (kernel 5.6): `keys` and `values` are the elements' bytes back to
    /// back. Returns how many were written.
    pub fn update_batch(&self, keys: &[u8], values: &[u8], flags: UpdateFlags) -> Result<u32> {
        let ks = self.fd.key_size().max(1);
        if !keys.len().is_multiple_of(ks) {
            return Err(Error::MapMismatch {
                map: self.name.clone(),
                reason: format!(
                    "{} key bytes are not a whole number of {ks}-byte keys",
                    keys.len()
                ),
            });
        }
        let n = u32::try_from(keys.len() / ks).map_err(|_| Error::invalid("too many keys"))?;
        if values.len() != n as usize * self.fd.value_bytes() {
            return Err(Error::MapMismatch {
                map: self.name.clone(),
                reason: format!(
                    "{} value bytes for {n} keys of a map with {}-byte values",
                    values.len(),
                    self.fd.value_bytes()
                ),
            });
        }
        let (done, r) = self.fd.update_batch(keys, values, n, flags.bits());
        r.map_err(|e| self.err("BPF_MAP_UPDATE_BATCH", e))?;
        Ok(done)
    }

    /// `BPF_MAP_DELETE_BATCH` (kernel 5.6, hash maps). Returns how many were deleted.
    pub fn delete_batch(&self, keys: &[u8]) -> Result<u32> {
        let ks = self.fd.key_size().max(1);
        if !keys.len().is_multiple_of(ks) {
            return Err(Error::MapMismatch {
                map: self.name.clone(),
                reason: format!(
                    "{} key bytes are not a whole number of {ks}-byte keys",
                    keys.len()
                ),
            });
        }
        let n = u32::try_from(keys.len() / ks).map_err(|_| Error::invalid("too many keys"))?;
        let (done, r) = self.fd.delete_batch(keys, n);
        r.map_err(|e| self.err("BPF_MAP_DELETE_BATCH", e))?;
        Ok(done)
    }
}
