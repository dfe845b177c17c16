//! The ring buffer producer shared by the ring buffer tests, the examples and the benchmark:
//! one XDP program, [`SEQ_OUT`], that writes one 16-byte record `{seq, 3 * seq}` per run with
//! `bpf_ringbuf_output` into [`SEQ_EVENTS`], with the flags in `SEQ_STATE[0][2]` (0: the
//! kernel's adaptive wake-up; [`BPF_RB_NO_WAKEUP`] for a consumer that reads without waiting,
//! [`SeqProducer::set_flags`]), and counts in [`SEQ_STATE`] what went
//! in (`[0]`, the next sequence number) and how many runs found the ring full (`[1]`); the
//! sequence number advances only when the record went in, so a consumer must see `0, 1, 2, ...`
//! with no gap, whatever was dropped for lack of room. The second word lets a consumer check
//! that each record arrived whole.
//!
//! [`SeqProducer::load`] loads it with a ring of the size you choose; [`SeqCheck`] checks the
//! records; [`produce_while_consuming`] is the reader loop: a producer thread runs a program
//! with `BPF_PROG_TEST_RUN` while the calling thread reads the ring with
//! [`RingBuf::poll`](xsk_runtime::ringbuf::RingBuf::poll), then drains it.
//!
//! The benchmark's C twin (`bench/c/ringbuf_ref.c`) loads the same instructions.
//!
//! ```no_run
//! use std::time::Duration;
//! use xsk_testkit::seqring::{produce_while_consuming, ProduceOptions, SeqCheck, SeqProducer};
//!
//! let (producer, mut ring) = SeqProducer::load(4096)?;
//! let mut check = SeqCheck::default();
//! let opts = ProduceOptions { calls: 100, repeat: 500, ..Default::default() };
//! produce_while_consuming(producer.program(), &mut ring, &opts, |r| check.record(r))?;
//! let (written, full) = producer.counts()?;
//! check.verify(written)?;
//! println!("{written} records read, {full} runs found the ring full");
//! # Ok::<(), xsk_runtime::Error>(())
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ebpf_dsl_macros::{defmap, defprogram};
use xsk_runtime::maps::Array;
use xsk_runtime::ringbuf::RingBuf;
use xsk_runtime::{Error, Loader, Program, Result};

defmap! {
    /// The records: `{seq, 3 * seq}`, two native-endian `u64`s. (One page here; see
    /// [`SeqProducer::load`] for other sizes.)
    pub SEQ_EVENTS: ringbuf(max_entries = 4096);
    /// `[next sequence number, runs that found the ring full, bpf_ringbuf_output's flags]`.
    pub SEQ_STATE: array(key = u32, value = [u64; 3], max_entries = 1);
}

defprogram! {
    /// One 16-byte record `{seq, 3 * seq}` per run with `bpf_ringbuf_output`; the sequence
    /// number advances only when the record went in (else `SEQ_STATE[0][1]` += 1).
    pub SEQ_OUT: xdp {
        r1 = 0;
        *(u32 *)(r10 - 4) = r1;
        r2 = r10;
        r2 += -4;
        r1 = SEQ_STATE ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto out;
        r6 = r0;
        r7 = *(u64 *)(r6 + 0);
        *(u64 *)(r10 - 24) = r7;
        r8 = r7;
        r8 *= 3;
        *(u64 *)(r10 - 16) = r8;
        r1 = SEQ_EVENTS ll;
        r2 = r10;
        r2 += -24;
        r3 = 16;
        r4 = *(u64 *)(r6 + 16);
        call bpf_ringbuf_output;
        if r0 != 0 goto full;
        r7 += 1;
        *(u64 *)(r6 + 0) = r7;
        goto out;
    full:
        r1 = 1;
        lock *(u64 *)(r6 + 8) += r1;
    out:
        r0 = XDP_PASS;
        exit;
    }
}

/// `bpf_ringbuf_output`'s flag: no wake-up of the consumer for this record.
pub const BPF_RB_NO_WAKEUP: u64 = 1;

/// The bytes of one record.
pub const RECORD_LEN: usize = 16;

/// The packet every test run gets (its content does not matter to [`SEQ_OUT`]).
pub const PACKET: [u8; 64] = [0; 64];

/// [`SEQ_OUT`] loaded, with its state map.
#[derive(Debug)]
pub struct SeqProducer {
    program: Program,
    state: Array<[u64; 3]>,
}

impl SeqProducer {
    /// Loads [`SEQ_OUT`] with a ring of `ring_bytes` (a power of two, at least a page: the
    /// kernel's rule) and returns it with the ring's consumer.
    pub fn load(ring_bytes: u32) -> Result<(SeqProducer, RingBuf)> {
        let spec = ebpf_dsl::MapSpec::from(&SEQ_EVENTS);
        let ring = RingBuf::create(spec.name_str(), ring_bytes)?;
        let mut loaded = Loader::new()
            .use_map(ring.map().try_clone()?)
            .program(SEQ_OUT)
            .load()?;
        let state = loaded.map(&SEQ_STATE)?;
        let program = loaded.take_program(&SEQ_OUT.name)?;
        Ok((SeqProducer { program, state }, ring))
    }

    /// The loaded program (to run it: [`Program::test_run`], [`produce_while_consuming`]).
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// `(records written, runs that found the ring full)` so far.
    pub fn counts(&self) -> Result<(u64, u64)> {
        let [written, full, _] = self.state.get(0)?;
        Ok((written, full))
    }

    /// Sets the flags the program passes to `bpf_ringbuf_output` from its next run on (0, or
    /// [`BPF_RB_NO_WAKEUP`]); call it before producing (it rewrites the whole state entry from
    /// what it reads).
    pub fn set_flags(&self, flags: u64) -> Result<()> {
        let [written, full, _] = self.state.get(0)?;
        self.state.set(0, &[written, full, flags])
    }
}

/// Checks records of [`SEQ_OUT`]: each must be 16 bytes, `{next, 3 * next}`.
#[derive(Debug, Default, Clone)]
pub struct SeqCheck {
    next: u64,
    bad: u64,
    first_bad: Option<String>,
}

impl SeqCheck {
    /// Checks one record (call it from the reader's closure).
    #[inline]
    pub fn record(&mut self, r: &[u8]) {
        match parse(r) {
            Some((seq, check)) if seq == self.next && check == seq.wrapping_mul(3) => {}
            got => {
                self.bad += 1;
                if self.first_bad.is_none() {
                    self.first_bad = Some(format!(
                        "record {} of {} bytes read as {got:?} where ({}, {}) was due",
                        self.next,
                        r.len(),
                        self.next,
                        self.next.wrapping_mul(3)
                    ));
                }
            }
        }
        self.next += 1;
    }

    /// Records seen so far.
    pub fn read(&self) -> u64 {
        self.next
    }

    /// Records that were not the one due (lost, repeated, out of order or torn).
    pub fn bad(&self) -> u64 {
        self.bad
    }

    /// Ok when every record was the one due and `written` (from [`SeqProducer::counts`]) were
    /// read; else an error that says what went wrong first.
    pub fn verify(&self, written: u64) -> Result<()> {
        if let Some(first) = &self.first_bad {
            return Err(Error::invalid(format!(
                "{} of {} records wrong; the first: {first}",
                self.bad, self.next
            )));
        }
        if self.next != written {
            return Err(Error::invalid(format!(
                "the program wrote {written} records, {} were read",
                self.next
            )));
        }
        Ok(())
    }
}

/// A record's `(seq, check)`, if it is 16 bytes.
pub fn parse(r: &[u8]) -> Option<(u64, u64)> {
    let r: &[u8; RECORD_LEN] = r.try_into().ok()?;
    let (a, b) = r.split_at(8);
    Some((
        u64::from_ne_bytes(a.try_into().ok()?),
        u64::from_ne_bytes(b.try_into().ok()?),
    ))
}

/// How [`produce_while_consuming`] drives the producer.
#[derive(Debug, Clone)]
pub struct ProduceOptions {
    /// `BPF_PROG_TEST_RUN` calls.
    pub calls: u64,
    /// Runs per call.
    pub repeat: u32,
    /// The producer thread's CPU (none: not pinned).
    pub producer_cpu: Option<usize>,
    /// How long a `poll` waits before looking whether the producer is done.
    pub poll_timeout: Duration,
    /// The whole loop's bound: an error after it.
    pub deadline: Duration,
    /// Read without waiting (`RingBuf::consume` in a loop, spinning) instead of `poll`: for a
    /// producer that writes with [`BPF_RB_NO_WAKEUP`], which never wakes a waiting reader.
    pub busy: bool,
}

impl Default for ProduceOptions {
    fn default() -> Self {
        ProduceOptions {
            calls: 1,
            repeat: 1,
            producer_cpu: None,
            poll_timeout: Duration::from_millis(50),
            deadline: Duration::from_secs(120),
            busy: false,
        }
    }
}

/// The reader loop: runs `program` `opts.calls` times with `opts.repeat` runs each
/// (`BPF_PROG_TEST_RUN` on [`PACKET`]) on a producer thread while the calling thread reads
/// `ring` ([`RingBuf::poll`]: epoll wake-ups; or spinning on [`RingBuf::consume`] with
/// `opts.busy`) with `consume`; when the producer is done, drains
/// what is left. Returns the records read. Errors: the producer's, the ring's, or the deadline.
pub fn produce_while_consuming(
    program: &Program,
    ring: &mut RingBuf,
    opts: &ProduceOptions,
    mut consume: impl FnMut(&[u8]),
) -> Result<u64> {
    let done = AtomicBool::new(false);
    let start = Instant::now();
    std::thread::scope(|s| {
        let producer = s.spawn(|| {
            if let Some(cpu) = opts.producer_cpu {
                pin(cpu);
            }
            let r =
                (0..opts.calls).try_for_each(|_| program.test_run(&PACKET, opts.repeat).map(drop));
            done.store(true, Ordering::Release);
            r
        });
        let mut read = 0u64;
        let mut result = Ok(());
        while !done.load(Ordering::Acquire) {
            if start.elapsed() > opts.deadline {
                result = Err(Error::invalid(format!(
                    "the producer did not finish in {:?}",
                    opts.deadline
                )));
                break;
            }
            let got = if opts.busy {
                ring.consume(&mut consume)
            } else {
                ring.poll(Some(opts.poll_timeout), &mut consume)
            };
            match got {
                Ok(n) => read += n as u64,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        let produced = producer
            .join()
            .map_err(|_| Error::invalid("the producer thread panicked"))?;
        result?;
        produced?;
        read += ring.consume(&mut consume)? as u64;
        Ok(read)
    })
}

/// Pins the calling thread to `cpu` (best effort: an absent CPU leaves it where it is).
pub fn pin(cpu: usize) {
    let mut set = nix::sched::CpuSet::new();
    if set.set(cpu).is_ok() {
        let _ = nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set);
    }
}
