//! Reporting: CPU time from `getrusage(2)`, rates, the per-second lines and the benchmark's
//! `RESULT` line.

use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};

/// User + system CPU time of the whole process so far (`getrusage(RUSAGE_SELF)`), in ns.
pub fn process_cpu_ns() -> u64 {
    cpu_ns(UsageWho::RUSAGE_SELF)
}

/// User + system CPU time of the calling thread so far (`getrusage(RUSAGE_THREAD)`), in ns.
pub fn thread_cpu_ns() -> u64 {
    cpu_ns(UsageWho::RUSAGE_THREAD)
}

fn cpu_ns(who: UsageWho) -> u64 {
    match getrusage(who) {
        Ok(ru) => {
            let tv = |t: nix::sys::time::TimeVal| {
                (t.tv_sec() as u64) * 1_000_000_000 + (t.tv_usec() as u64) * 1_000
            };
            tv(ru.user_time()) + tv(ru.system_time())
        }
        Err(_) => 0,
    }
}

/// Formats a rate: `1.23M`, `45.6k`, `789`.
pub fn human(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if v >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

/// Ticks once a second: [`Ticker::due`] returns the elapsed time since the last tick when a
/// second has passed.
#[derive(Debug)]
pub struct Ticker {
    start: Instant,
    last: Instant,
    every: Duration,
    /// `last + every` (None if that is beyond what an `Instant` holds: never due): one
    /// comparison per call while no tick is due.
    next: Option<Instant>,
}

impl Ticker {
    /// A ticker starting now, ticking every `every`.
    pub fn new(every: Duration) -> Ticker {
        let now = Instant::now();
        Ticker {
            start: now,
            last: now,
            every,
            next: now.checked_add(every),
        }
    }

    /// `Some((seconds since start, seconds since the last tick))` if a tick is due.
    pub fn due(&mut self) -> Option<(f64, f64)> {
        self.due_at(Instant::now())
    }

    /// [`Ticker::due`] with the clock already read (`now`): for a loop that reads it once for
    /// several purposes.
    pub fn due_at(&mut self, now: Instant) -> Option<(f64, f64)> {
        // `now >= last + every` is `now - last >= every` (both exact).
        if self.next.is_none_or(|next| now < next) {
            return None;
        }
        let since = now.duration_since(self.last);
        self.last = now;
        self.next = now.checked_add(self.every);
        Some((
            now.duration_since(self.start).as_secs_f64(),
            since.as_secs_f64(),
        ))
    }
}

/// The measured window of a benchmark run (after the warm-up): packets, wall time and CPU
/// time, for the `RESULT` line that `bench/harness.py` parses.
#[derive(Debug, Clone)]
pub struct Window {
    start: Instant,
    thread_only: bool,
    cpu0: u64,
    pkts0: u64,
}

impl Window {
    /// Opens the window now, with `pkts` packets counted so far, measuring the CPU time of the
    /// whole process, or only of the calling thread if `thread_only` (when the process also
    /// runs a traffic generator).
    pub fn open(pkts: u64, thread_only: bool) -> Window {
        Window {
            start: Instant::now(),
            thread_only,
            cpu0: if thread_only {
                thread_cpu_ns()
            } else {
                process_cpu_ns()
            },
            pkts0: pkts,
        }
    }

    /// The `RESULT impl=rust mode=M pkts=N secs=S pps=P cpu_ns_per_pkt=C total_pkts=T` line,
    /// with `total` packets counted in the process's life.
    pub fn result_line(&self, mode: &str, total: u64) -> String {
        let secs = self.start.elapsed().as_secs_f64().max(1e-9);
        let pkts = total.saturating_sub(self.pkts0);
        let now = if self.thread_only {
            thread_cpu_ns()
        } else {
            process_cpu_ns()
        };
        let cpu = now.saturating_sub(self.cpu0) as f64;
        let per = if pkts > 0 { cpu / pkts as f64 } else { 0.0 };
        format!(
            "RESULT impl=rust mode={mode} pkts={pkts} secs={secs:.3} pps={:.0} cpu_ns_per_pkt={per:.1} total_pkts={total}",
            pkts as f64 / secs
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(human(1_234_567.0), "1.23M");
        assert_eq!(human(45_600.0), "45.6k");
        assert_eq!(human(789.0), "789");
    }

    #[test]
    fn ticker_ticks_on_the_given_clock() {
        let mut t = Ticker::new(Duration::from_secs(1));
        let t0 = t.start;
        assert_eq!(t.due_at(t0 + Duration::from_millis(999)), None);
        assert_eq!(t.due_at(t0 + Duration::from_millis(1500)), Some((1.5, 1.5)));
        // The next tick counts from the last one.
        assert_eq!(t.due_at(t0 + Duration::from_millis(2000)), None);
        assert_eq!(t.due_at(t0 + Duration::from_millis(2500)), Some((2.5, 1.0)));
        // A clock reading older than the last tick is no tick.
        assert_eq!(t.due_at(t0), None);
    }

    #[test]
    fn result_line_fields() {
        let w = Window::open(10, false);
        let l = w.result_line("rxdrop", 110);
        assert!(
            l.starts_with("RESULT impl=rust mode=rxdrop pkts=100 secs="),
            "{l}"
        );
        assert!(
            l.contains(" cpu_ns_per_pkt=") && l.ends_with(" total_pkts=110"),
            "{l}"
        );
        assert!(process_cpu_ns() > 0);
    }
}
