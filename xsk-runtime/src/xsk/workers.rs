//! One thread per queue: [`Workers`].
//!
//! [`Workers::spawn`] takes the sockets out of an [`XskInterface`] and runs your function on
//! each in its own thread, pinned to the CPU you chose for that queue. The function gets a
//! [`WorkerContext`]: the queue, the UMEM, a stop flag ([`WorkerContext::should_stop`]) and
//! counters that every thread updates and any thread can read ([`Workers::stats`]): packets and
//! bytes received and sent, wake-ups, and the kernel's drop counters of the socket
//! (`XDP_STATISTICS`, refreshed every 100 ms while the worker asks whether to stop, and once
//! more when it ends). [`WorkerContext::receive`] is the usual receive step (refill, wake if
//! needed, take a batch, give every frame back) with the counting done.
//!
//! Sending: [`WorkerContext::forward`] is the l2fwd step (completions back first, refill,
//! receive, let your function rewrite each packet in place and say whether to send it, send it
//! on the same queue's TX ring), [`WorkerContext::transmit`] the TX-only step (your function
//! writes packets into free frames), [`WorkerContext::complete`] takes sent frames back and
//! [`WorkerContext::drain`] waits for what is still in flight before a worker returns. The
//! socket needs a TX ring (`SocketConfig::tx_size` > 0) for these.
//!
//! [`Workers::stop`] (or a [`StopHandle`] from another thread or a signal handler's flag) asks
//! every worker to return; [`Workers::join`] waits for them and returns the sockets and the
//! final statistics, or the first error a worker returned (a panicking worker becomes an error
//! too, never a panic of the caller).
//!
//! ```no_run
//! use xsk_runtime::xsk::{RedirectProgram, Workers, WorkersConfig, XskInterface, XskInterfaceConfig};
//!
//! let config = XskInterfaceConfig { program: RedirectProgram::Udp, ..Default::default() };
//! let mut xsk = XskInterface::open("eth0", &config)?;
//! let workers = Workers::spawn(&mut xsk, &WorkersConfig { cpus: vec![0, 1] }, |ctx| {
//!     while !ctx.should_stop() {
//!         if ctx.receive(64, |_frame| {})? == 0 {
//!             ctx.wait_rx(10)?;
//!         }
//!     }
//!     Ok(())
//! })?;
//! std::thread::sleep(std::time::Duration::from_secs(5));
//! workers.stop();
//! for s in workers.join()?.stats {
//!     println!("queue {}: {} packets, {} dropped", s.queue, s.rx_packets, s.rx_dropped);
//! }
//! # Ok::<(), xsk_runtime::Error>(())
//! ```

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::sys::affinity::pin_current_thread;
use crate::xsk::interface::{XskInterface, XskQueue};
use crate::xsk::umem::Umem;

/// How often [`WorkerContext::should_stop`] reads the kernel's socket statistics.
const KERNEL_STATS_EVERY: Duration = Duration::from_millis(100);

/// How to run [`Workers`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkersConfig {
    /// The CPU of each queue's thread, in queue order (the `i`-th queue of the interface runs
    /// on `cpus[i]`). Empty: no pinning. Otherwise there must be one CPU per queue.
    pub cpus: Vec<usize>,
}

/// A copy of one queue's counters ([`Workers::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// The queue index.
    pub queue: u32,
    /// The CPU its thread is pinned to, if any.
    pub cpu: Option<usize>,
    /// Packets received (counted by [`WorkerContext::receive`] or [`WorkerContext::count_rx`]).
    pub rx_packets: u64,
    /// Bytes of those packets.
    pub rx_bytes: u64,
    /// Packets sent ([`WorkerContext::count_tx`]).
    pub tx_packets: u64,
    /// Bytes of those packets.
    pub tx_bytes: u64,
    /// System calls made to wake the kernel or to wait (fill-ring wake-ups, `poll`).
    pub wakeups: u64,
    /// The kernel's `rx_dropped` of the socket (`XDP_STATISTICS`).
    pub rx_dropped: u64,
    /// The kernel's `rx_ring_full`: packets dropped because the RX ring was full.
    pub rx_ring_full: u64,
    /// The kernel's `rx_fill_ring_empty_descs`: times it found the fill ring empty.
    pub rx_fill_ring_empty: u64,
    /// The kernel's `rx_invalid_descs` + `tx_invalid_descs`.
    pub invalid_descs: u64,
}

#[derive(Debug, Default)]
struct Counters {
    rx_packets: AtomicU64,
    rx_bytes: AtomicU64,
    tx_packets: AtomicU64,
    tx_bytes: AtomicU64,
    wakeups: AtomicU64,
    rx_dropped: AtomicU64,
    rx_ring_full: AtomicU64,
    rx_fill_ring_empty: AtomicU64,
    invalid_descs: AtomicU64,
}

impl Counters {
    fn snapshot(&self, queue: u32, cpu: Option<usize>) -> QueueStats {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        QueueStats {
            queue,
            cpu,
            rx_packets: g(&self.rx_packets),
            rx_bytes: g(&self.rx_bytes),
            tx_packets: g(&self.tx_packets),
            tx_bytes: g(&self.tx_bytes),
            wakeups: g(&self.wakeups),
            rx_dropped: g(&self.rx_dropped),
            rx_ring_full: g(&self.rx_ring_full),
            rx_fill_ring_empty: g(&self.rx_fill_ring_empty),
            invalid_descs: g(&self.invalid_descs),
        }
    }

    fn refresh_kernel(&self, queue: &XskQueue) {
        // A socket without statistics (kernel before 4.18's XDP_STATISTICS) keeps zeroes.
        if let Ok(s) = queue.socket.statistics() {
            let s_ = |a: &AtomicU64, v: u64| a.store(v, Ordering::Relaxed);
            s_(&self.rx_dropped, s.rx_dropped);
            s_(&self.rx_ring_full, s.rx_ring_full);
            s_(&self.rx_fill_ring_empty, s.rx_fill_ring_empty_descs);
            s_(&self.invalid_descs, s.rx_invalid_descs + s.tx_invalid_descs);
        }
    }
}

/// Asks the workers to stop; cloneable and `Send`, for other threads.
#[derive(Debug, Clone)]
pub struct StopHandle(Arc<AtomicBool>);

impl StopHandle {
    /// Asks every worker to return (at its next [`WorkerContext::should_stop`]).
    pub fn stop(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether a stop was asked for.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// What a worker's function gets: its queue, the UMEM, the stop flag and its counters.
#[derive(Debug)]
pub struct WorkerContext<'a> {
    queue: &'a mut XskQueue,
    umem: &'a Umem,
    cpu: Option<usize>,
    stop: &'a AtomicBool,
    counters: &'a Counters,
    last_kernel_stats: Instant,
    /// Frames submitted on the TX ring and not yet back from the completion ring.
    in_flight: u64,
}

impl WorkerContext<'_> {
    /// The queue: its socket and its free frames.
    pub fn queue(&mut self) -> &mut XskQueue {
        self.queue
    }

    /// The queue index.
    pub fn queue_index(&self) -> u32 {
        self.queue.queue()
    }

    /// The UMEM the queue's frames live in (to read packets: [`Umem::packet`]).
    pub fn umem(&self) -> &Umem {
        self.umem
    }

    /// The CPU this thread is pinned to, if any.
    pub fn cpu(&self) -> Option<usize> {
        self.cpu
    }

    /// True once a stop was asked for: return from the worker's function then. Also refreshes
    /// the kernel's drop counters of the socket at most every 100 ms.
    pub fn should_stop(&mut self) -> bool {
        if self.last_kernel_stats.elapsed() >= KERNEL_STATS_EVERY {
            self.counters.refresh_kernel(self.queue);
            self.last_kernel_stats = Instant::now();
        }
        self.stop.load(Ordering::Acquire)
    }

    /// Adds to the received counters (when receiving without [`Self::receive`]).
    pub fn count_rx(&self, packets: u64, bytes: u64) {
        self.counters
            .rx_packets
            .fetch_add(packets, Ordering::Relaxed);
        self.counters.rx_bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Adds to the sent counters.
    pub fn count_tx(&self, packets: u64, bytes: u64) {
        self.counters
            .tx_packets
            .fetch_add(packets, Ordering::Relaxed);
        self.counters.tx_bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Counts a wake-up system call made outside [`Self::receive`] and [`Self::wait_rx`].
    pub fn count_wakeup(&self) {
        self.counters.wakeups.fetch_add(1, Ordering::Relaxed);
    }

    /// One receive step: puts free frames on the fill ring, wakes the kernel if it asks
    /// (need_wakeup), takes up to `max` packets from the RX ring, calls `f` with each packet's
    /// bytes and gives its frame back to the queue's free list. Returns how many packets it
    /// handled (0 if the socket has no fill or RX ring).
    pub fn receive(&mut self, max: u32, mut f: impl FnMut(&[u8])) -> Result<usize> {
        let umem = self.umem;
        let q = &mut *self.queue;
        let rings = q.socket.rings();
        let (Some(fill), Some(rx)) = (rings.fill, rings.rx) else {
            return Ok(0);
        };
        fill.fill_from(&mut q.free, max);
        if fill.wake_if_needed()? {
            self.counters.wakeups.fetch_add(1, Ordering::Relaxed);
        }
        let (mut n, mut bytes) = (0usize, 0u64);
        let mut batch = rx.recv(max);
        for packet in batch.by_ref() {
            let data = umem.packet(&packet);
            bytes += data.len() as u64;
            n += 1;
            f(data);
            // The list has room for every frame of its share: this cannot fail.
            let _ = q.free.push(packet.into_frame());
        }
        batch.release();
        self.count_rx(n as u64, bytes);
        Ok(n)
    }

    /// Waits up to `timeout_ms` for the RX ring to have packets (`poll`), counted as a
    /// wake-up. Returns true if it has.
    pub fn wait_rx(&mut self, timeout_ms: i32) -> Result<bool> {
        self.counters.wakeups.fetch_add(1, Ordering::Relaxed);
        self.queue.socket.poll_rx(timeout_ms)
    }
}

impl WorkerContext<'_> {
    /// Frames submitted for sending ([`Self::forward`], [`Self::transmit`]) that the kernel
    /// has not given back on the completion ring yet.
    pub fn in_flight(&self) -> u64 {
        self.in_flight
    }

    /// Takes sent frames back from the completion ring onto the queue's free list (kicking
    /// the TX ring first if the kernel asks); returns how many. Nothing to do (0) when
    /// nothing is in flight or the socket has no TX side.
    pub fn complete(&mut self, max: u32) -> Result<u32> {
        if self.in_flight == 0 {
            return Ok(0);
        }
        let q = &mut *self.queue;
        let rings = q.socket.rings();
        let (Some(comp), Some(tx)) = (rings.completion, rings.tx) else {
            return Ok(0);
        };
        if tx.kick_if_needed()? {
            self.counters.wakeups.fetch_add(1, Ordering::Relaxed);
        }
        let c = comp.complete_into(&mut q.free, max);
        self.in_flight = self.in_flight.saturating_sub(u64::from(c));
        Ok(c)
    }

    /// One forwarding step, the l2fwd pattern on this queue: sent frames back from the
    /// completion ring first (an empty fill ring is what limits forwarding), free frames onto
    /// the fill ring, then up to `max` packets from the RX ring. `f` gets each packet's bytes
    /// to rewrite in place (same length) and returns true to send it out of the same queue's
    /// TX ring, false to drop it (its frame goes back to the free list). Kicks the TX ring
    /// when the kernel asks, wakes the fill ring when idle, and counts received and sent
    /// packets. Returns how many packets were received.
    ///
    /// An error if the socket lacks a TX or completion ring (bind it with `tx_size` > 0).
    ///
    /// ```no_run
    /// use xsk_runtime::xsk::{Workers, WorkersConfig, XskInterface, XskInterfaceConfig};
    ///
    /// // l2fwd on every queue: swap the MAC addresses, send each packet back.
    /// let mut xsk = XskInterface::open("eth0", &XskInterfaceConfig::default())?;
    /// let workers = Workers::spawn(&mut xsk, &WorkersConfig::default(), |ctx| {
    ///     while !ctx.should_stop() {
    ///         let n = ctx.forward(64, |frame| {
    ///             for i in 0..6 {
    ///                 frame.swap(i, i + 6);
    ///             }
    ///             true
    ///         })?;
    ///         if n == 0 {
    ///             ctx.wait_rx(10)?;
    ///         }
    ///     }
    ///     ctx.drain(std::time::Duration::from_secs(1))?;
    ///     Ok(())
    /// })?;
    /// # workers.stop();
    /// # workers.join()?;
    /// # Ok::<(), xsk_runtime::Error>(())
    /// ```
    pub fn forward(&mut self, max: u32, mut f: impl FnMut(&mut [u8]) -> bool) -> Result<usize> {
        self.complete(max.saturating_mul(2))?;
        let umem = self.umem;
        let q = &mut *self.queue;
        let rings = q.socket.rings();
        let (Some(fill), Some(rx), Some(tx)) = (rings.fill, rings.rx, rings.tx) else {
            return Err(Error::invalid(
                "WorkerContext::forward: the socket needs fill, RX, TX and completion rings \
                 (SocketConfig::tx_size > 0)",
            ));
        };
        fill.fill_from(&mut q.free, max.saturating_mul(2));
        let (mut n, mut rx_bytes, mut sent, mut tx_bytes) = (0u64, 0u64, 0u64, 0u64);
        {
            let mut rxb = rx.recv(max);
            let mut txb = tx.reserve(rxb.len());
            for mut pkt in rxb.by_ref() {
                let data = umem.packet_mut(&mut pkt);
                let len = data.len() as u64;
                n += 1;
                rx_bytes += len;
                if !f(data) {
                    let _ = q.free.push(pkt.into_frame());
                    continue;
                }
                match txb.push_packet(pkt) {
                    Ok(()) => {
                        sent += 1;
                        tx_bytes += len;
                    }
                    // The list has room for every frame of its share: this cannot fail.
                    Err(p) => {
                        let _ = q.free.push(p.into_frame());
                    }
                }
            }
            txb.submit();
            rxb.release();
        }
        let mut wakeups = 0;
        if sent > 0 {
            self.in_flight += sent;
            wakeups += u64::from(tx.kick_if_needed()?);
        }
        if n == 0 {
            wakeups += u64::from(fill.wake_if_needed()?);
        }
        if wakeups > 0 {
            self.counters.wakeups.fetch_add(wakeups, Ordering::Relaxed);
        }
        self.count_rx(n, rx_bytes);
        self.count_tx(sent, tx_bytes);
        Ok(n as usize)
    }

    /// One TX-only step: sent frames back from the completion ring, then up to `max` free
    /// frames filled by `f` and queued on the TX ring. `f` gets a frame's buffer (after the
    /// UMEM's TX metadata area, if any), writes one packet at its start and returns its length;
    /// 0 ends the step (nothing more to send now; the frame stays free). A length beyond the
    /// buffer is clamped to it. Kicks the kernel when it asks and counts what was queued.
    /// Returns how many packets were queued (0 also when no frame is free: everything is in
    /// flight, call again after the kernel completes some).
    ///
    /// An error if the socket has no TX ring.
    ///
    /// ```no_run
    /// # fn run(ctx: &mut xsk_runtime::xsk::WorkerContext<'_>, frame: &[u8]) -> xsk_runtime::Result<()> {
    /// // Send `frame` 1,000 times from this worker's queue, then wait until all were sent.
    /// let mut queued = 0;
    /// while queued < 1000 && !ctx.should_stop() {
    ///     ctx.transmit(64, |buf| {
    ///         if queued == 1000 {
    ///             return 0;
    ///         }
    ///         queued += 1;
    ///         buf[..frame.len()].copy_from_slice(frame);
    ///         frame.len()
    ///     })?;
    /// }
    /// ctx.drain(std::time::Duration::from_secs(1))?;
    /// # Ok(()) }
    /// ```
    pub fn transmit(&mut self, max: u32, mut f: impl FnMut(&mut [u8]) -> usize) -> Result<usize> {
        self.complete(max.saturating_mul(2))?;
        let umem = self.umem;
        let q = &mut *self.queue;
        let Some(tx) = q.socket.tx() else {
            return Err(Error::invalid(
                "WorkerContext::transmit: the socket has no TX ring (SocketConfig::tx_size > 0)",
            ));
        };
        let offset = umem.tx_metadata_len();
        let want = max.min(u32::try_from(q.free.len()).unwrap_or(u32::MAX));
        let (mut sent, mut bytes) = (0u64, 0u64);
        {
            let mut txb = tx.reserve(want);
            while txb.remaining() > 0 {
                let Some(mut frame) = q.free.pop() else {
                    break;
                };
                let buf = umem.frame_mut(&mut frame);
                let room = buf.len().saturating_sub(offset as usize);
                let len = match buf.get_mut(offset as usize..) {
                    Some(b) => f(b).min(room),
                    None => 0,
                };
                if len == 0 {
                    let _ = q.free.push(frame);
                    break;
                }
                match txb.push(frame, offset, len as u32) {
                    Ok(()) => {
                        sent += 1;
                        bytes += len as u64;
                    }
                    Err(frame) => {
                        let _ = q.free.push(frame);
                        break;
                    }
                }
            }
            txb.submit();
        }
        if sent > 0 {
            self.in_flight += sent;
            if tx.kick_if_needed()? {
                self.counters.wakeups.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count_tx(sent, bytes);
        Ok(sent as usize)
    }

    /// Kicks and takes completions until nothing is in flight or `timeout` passed (call it
    /// before returning from a worker that sent, so every frame is home and sent). Returns the
    /// frames still in flight (0: all sent and back).
    pub fn drain(&mut self, timeout: Duration) -> Result<u64> {
        let until = Instant::now() + timeout;
        while self.in_flight > 0 && Instant::now() < until {
            if self.complete(u32::MAX)? == 0 {
                std::thread::sleep(Duration::from_micros(50));
            }
        }
        Ok(self.in_flight)
    }
}

impl XskInterface {
    /// [`Workers::spawn`] on this interface: one thread per queue running `f`, pinned to
    /// `cpus[i]` (empty: not pinned).
    pub fn run_workers<F>(&mut self, cpus: &[usize], f: F) -> Result<Workers>
    where
        F: Fn(&mut WorkerContext<'_>) -> Result<()> + Send + Sync + 'static,
    {
        Workers::spawn(
            self,
            &WorkersConfig {
                cpus: cpus.to_vec(),
            },
            f,
        )
    }
}

/// What [`Workers::join`] returns.
#[derive(Debug)]
pub struct Finished {
    /// The sockets, back from their threads, in queue order.
    pub queues: Vec<XskQueue>,
    /// The final statistics of each queue, in queue order.
    pub stats: Vec<QueueStats>,
}

struct Worker {
    queue: u32,
    cpu: Option<usize>,
    counters: Arc<Counters>,
    handle: JoinHandle<(Option<XskQueue>, Result<()>)>,
}

/// One thread per queue of an [`XskInterface`] (see the module docs).
pub struct Workers {
    stop: Arc<AtomicBool>,
    workers: Vec<Worker>,
}

impl std::fmt::Debug for Workers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workers")
            .field(
                "queues",
                &self.workers.iter().map(|w| w.queue).collect::<Vec<_>>(),
            )
            .field("stopped", &self.stop.load(Ordering::Relaxed))
            .finish()
    }
}

impl Workers {
    /// Takes the sockets out of `xsk` ([`XskInterface::take_queues`]; the program stays
    /// attached) and runs `f` on each in a thread of its own, pinned to `config.cpus[i]`.
    /// `f` runs until it returns; it should return when [`WorkerContext::should_stop`] says so.
    ///
    /// Errors before any thread starts (the sockets stay in `xsk` then): no queues left, or
    /// a CPU list whose length is not the number of queues. A thread that cannot be pinned
    /// returns the error from [`Workers::join`].
    pub fn spawn<F>(xsk: &mut XskInterface, config: &WorkersConfig, f: F) -> Result<Workers>
    where
        F: Fn(&mut WorkerContext<'_>) -> Result<()> + Send + Sync + 'static,
    {
        let n = xsk.queues().len();
        if n == 0 {
            return Err(Error::invalid(
                "Workers::spawn: the interface has no sockets left (taken before?)",
            ));
        }
        if !config.cpus.is_empty() && config.cpus.len() != n {
            return Err(Error::invalid(format!(
                "Workers::spawn: {} CPU(s) given for {n} queue(s); give one per queue or none",
                config.cpus.len()
            )));
        }
        let stop = Arc::new(AtomicBool::new(false));
        let f = Arc::new(f);
        let umem = xsk.umem().clone();
        let mut workers = Vec::with_capacity(n);
        for (i, mut queue) in xsk.take_queues().into_iter().enumerate() {
            let cpu = config.cpus.get(i).copied();
            let counters = Arc::new(Counters::default());
            let (f, stop2, counters2, umem) = (
                Arc::clone(&f),
                Arc::clone(&stop),
                Arc::clone(&counters),
                umem.clone(),
            );
            let index = queue.queue();
            let handle = std::thread::Builder::new()
                .name(format!("xsk-q{index}"))
                .spawn(move || {
                    if let Some(cpu) = cpu {
                        if let Err(e) = pin_current_thread(cpu) {
                            return (Some(queue), Err(e));
                        }
                    }
                    let mut ctx = WorkerContext {
                        queue: &mut queue,
                        umem: &umem,
                        cpu,
                        stop: &stop2,
                        counters: &counters2,
                        last_kernel_stats: Instant::now(),
                        in_flight: 0,
                    };
                    let r = f(&mut ctx);
                    counters2.refresh_kernel(&queue);
                    (Some(queue), r)
                })
                .map_err(|e| {
                    stop.store(true, Ordering::Release);
                    Error::invalid(format!("Workers::spawn: cannot start a thread: {e}"))
                })?;
            workers.push(Worker {
                queue: index,
                cpu,
                counters,
                handle,
            });
        }
        Ok(Workers { stop, workers })
    }

    /// A handle that stops the workers from anywhere.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(Arc::clone(&self.stop))
    }

    /// Asks every worker to return.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
    }

    /// True once every worker's function has returned.
    pub fn all_finished(&self) -> bool {
        self.workers.iter().all(|w| w.handle.is_finished())
    }

    /// The counters of every queue now, in queue order.
    pub fn stats(&self) -> Vec<QueueStats> {
        self.workers
            .iter()
            .map(|w| w.counters.snapshot(w.queue, w.cpu))
            .collect()
    }

    /// Stops the workers (if not yet asked), waits for all of them, and returns the sockets
    /// and the final statistics — or the first error a worker returned (or its panic, as an
    /// error); the sockets of the others are closed then.
    pub fn join(self) -> Result<Finished> {
        self.stop();
        let mut first_err = None;
        let mut queues = Vec::new();
        let mut stats = Vec::new();
        for w in self.workers {
            let joined = w.handle.join();
            stats.push(w.counters.snapshot(w.queue, w.cpu));
            match joined {
                Ok((q, r)) => {
                    queues.extend(q);
                    if let Err(e) = r {
                        first_err.get_or_insert(e);
                    }
                }
                Err(_) => {
                    first_err.get_or_insert(Error::invalid(format!(
                        "the worker of queue {} panicked",
                        w.queue
                    )));
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(Finished { queues, stats }),
        }
    }
}
