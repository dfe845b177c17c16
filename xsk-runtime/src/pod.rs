//! Plain-old-data keys and values: types whose bytes are exactly what the kernel stores.
//!
//! Map keys and values cross the `bpf(2)` boundary as raw bytes. [`Pod`] marks the Rust types
//! for which reading any bytes of the right length gives a valid value, and whose bytes have no
//! padding, so that the typed map wrappers can convert in both directions.

/// A type whose every bit pattern is valid and which has no padding bytes.
///
/// # Safety
/// Implement it only for `#[repr(C)]` or `#[repr(transparent)]` types made of `Pod` fields
/// with no padding between or after them (check with a `const` size assertion), and with no
/// pointers, references or niches (`bool`, `char`, enums, `NonZero*` are not `Pod`).
pub unsafe trait Pod: Copy + Send + Sync + 'static {}

macro_rules! pod {
    ($($t:ty),*) => { $(
        // SAFETY: primitive integers have no padding and every bit pattern is valid.
        unsafe impl Pod for $t {}
    )* };
}
pod!(u8, u16, u32, u64, u128, i8, i16, i32, i64, i128, usize, isize);

// SAFETY: an array of Pod elements has no padding (size = N * size_of::<T>()) and every bit
// pattern of its elements is valid.
unsafe impl<T: Pod, const N: usize> Pod for [T; N] {}

/// The bytes of a `Pod` value.
pub fn bytes_of<T: Pod>(v: &T) -> &[u8] {
    let p: *const T = v;
    // SAFETY: `T: Pod` has no padding, so all size_of::<T>() bytes behind the reference are
    // initialised; the slice borrows `v` for its lifetime.
    unsafe { core::slice::from_raw_parts(p.cast::<u8>(), core::mem::size_of::<T>()) }
}

/// The bytes of a slice of `Pod` values.
pub fn slice_bytes<T: Pod>(v: &[T]) -> &[u8] {
    // SAFETY: as for bytes_of; the slice's elements are contiguous with no gaps.
    unsafe { core::slice::from_raw_parts(v.as_ptr().cast::<u8>(), core::mem::size_of_val(v)) }
}

/// A `Pod` value read from `bytes`, or `None` if the length is not `size_of::<T>()`.
pub fn from_bytes<T: Pod>(bytes: &[u8]) -> Option<T> {
    if bytes.len() != core::mem::size_of::<T>() {
        return None;
    }
    // SAFETY: the length matches, every bit pattern is a valid `T`, and read_unaligned copes
    // with any alignment of the source.
    Some(unsafe { core::ptr::read_unaligned(bytes.as_ptr().cast::<T>()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        let v: [u32; 2] = [1, 0xdeadbeef];
        let b = bytes_of(&v);
        assert_eq!(b.len(), 8);
        assert_eq!(from_bytes::<[u32; 2]>(b), Some(v));
        assert_eq!(from_bytes::<u64>(&b[..4]), None);
        assert_eq!(slice_bytes(&[1u16, 2u16]), &[1, 0, 2, 0][..]);
    }
}
