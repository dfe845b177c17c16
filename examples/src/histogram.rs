//! A fixed-size log-linear histogram of durations (round-trip times): constant memory however
//! long a run lasts, quantiles within 1/32 (about 3 %) of the true value.
//!
//! Values are nanoseconds. Below 32 ns every value has its own bucket; above, each power of
//! two is cut into 32 equal buckets (the top 5 bits below the leading one pick the bucket),
//! like HdrHistogram with 5 significant bits. 60 × 32 buckets of `u64` cover every `u64`.

use std::time::Duration;

const SUB_BITS: u32 = 5;
const SUB: usize = 1 << SUB_BITS;
const BUCKETS: usize = (64 - SUB_BITS as usize + 1) * SUB;

/// Counts of durations in log-linear buckets (see the module docs).
#[derive(Clone)]
pub struct Histogram {
    counts: Box<[u64; BUCKETS]>,
    total: u64,
    max: u64,
    min: u64,
}

impl std::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Histogram")
            .field("count", &self.total)
            .field("min_ns", &self.min)
            .field("max_ns", &self.max)
            .finish()
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

/// The bucket of value `v`.
fn index(v: u64) -> usize {
    if v < SUB as u64 {
        return v as usize;
    }
    let msb = 63 - v.leading_zeros();
    let shift = msb - SUB_BITS;
    // `v >> shift` lies in [SUB, 2 * SUB): the leading one and the SUB_BITS bits below it,
    // which pick the sub-bucket. Values below 2 * SUB have shift 0 and a bucket each.
    let sub = ((v >> shift) as usize) & (SUB - 1);
    (shift as usize + 1) * SUB + sub
}

/// The smallest and largest value of bucket `i`.
fn bounds(i: usize) -> (u64, u64) {
    if i < SUB {
        let v = i as u64;
        return (v, v);
    }
    let shift = (i / SUB - 1) as u32;
    let sub = (i % SUB) as u64;
    let low = (SUB as u64 + sub) << shift;
    let high = low.saturating_add((1u64 << shift) - 1);
    (low, high)
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Histogram {
        Histogram {
            counts: Box::new([0; BUCKETS]),
            total: 0,
            max: 0,
            min: u64::MAX,
        }
    }

    /// Records one duration.
    pub fn record(&mut self, d: Duration) {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.counts[index(ns)] += 1;
        self.total += 1;
        self.max = self.max.max(ns);
        self.min = self.min.min(ns);
    }

    /// Values recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The largest value recorded (zero if none).
    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.max)
    }

    /// The smallest value recorded (zero if none).
    pub fn min(&self) -> Duration {
        Duration::from_nanos(if self.total == 0 { 0 } else { self.min })
    }

    /// The value at quantile `q` (0.0 to 1.0; `0.99` for p99): the midpoint of the bucket
    /// that holds the ⌈q·n⌉-th smallest value, clamped to the recorded min and max. Zero if
    /// nothing was recorded.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (low, high) = bounds(i);
                let mid = low + (high - low) / 2;
                return Duration::from_nanos(mid.clamp(self.min, self.max));
            }
        }
        Duration::from_nanos(self.max)
    }

    /// `n=… p50=… p99=… p99.9=… max=…` in microseconds.
    pub fn summary(&self) -> String {
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        format!(
            "n={} p50={:.0}us p99={:.0}us p99.9={:.0}us max={:.0}us",
            self.total,
            us(self.quantile(0.5)),
            us(self.quantile(0.99)),
            us(self.quantile(0.999)),
            us(self.max())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_in_order() {
        let mut last = 0;
        for v in (0..5000u64).chain([u64::MAX / 3, u64::MAX - 1, u64::MAX]) {
            let i = index(v);
            assert!(i < BUCKETS, "{v} -> {i}");
            assert!(i >= last, "buckets grow with the value: {v}");
            last = i;
            let (low, high) = bounds(i);
            assert!(low <= v && v <= high, "{v} in bucket {i} = [{low}, {high}]");
            // Relative width at most 1/32 above the exact range.
            if v >= SUB as u64 {
                assert!((high - low) as f64 <= low as f64 / 32.0 + 1.0, "{v}");
            }
        }
    }

    #[test]
    fn quantiles_are_within_the_bucket_error() {
        let mut h = Histogram::new();
        for us in 1..=10_000u64 {
            h.record(Duration::from_micros(us));
        }
        assert_eq!(h.count(), 10_000);
        for (q, exact) in [(0.5, 5_000.0), (0.99, 9_900.0), (0.999, 9_990.0)] {
            let got = h.quantile(q).as_secs_f64() * 1e6;
            assert!(
                (got - exact).abs() <= exact / 32.0,
                "q{q}: {got} vs {exact}"
            );
        }
        assert_eq!(h.max(), Duration::from_micros(10_000));
        assert_eq!(h.min(), Duration::from_micros(1));
        assert_eq!(Histogram::new().quantile(0.5), Duration::ZERO);
        let mut one = Histogram::new();
        one.record(Duration::from_nanos(777_777));
        assert_eq!(one.quantile(0.999), Duration::from_nanos(777_777));
    }
}
