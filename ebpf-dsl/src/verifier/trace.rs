//! A record of what the pruning did, instruction by instruction, for comparing this
//! verifier's checkpoints with the kernel's (`ebpf-dsl check --trace-prune FILE`; the kernel's
//! side is its `BPF_LOG_LEVEL2` log: `tools/real-programs/kload` with `KLOAD_LOG2=FILE`).
//!
//! [`verify_traced`] verifies as [`super::verify_trusting`] does (the same verdict and counts:
//! tracing only watches) and returns, for every instruction, how often it was processed, how
//! many checkpoints were stored there, how many paths were pruned there, how many comparisons
//! with a checkpoint failed and how many checkpoints were dropped; with `events`, also one line
//! per event at a prune point, in the order they happened: a checkpoint stored (`#id`, its
//! parent), a path pruned (by which checkpoint), a failed comparison (the first location that
//! differed, with both values), a checkpoint dropped, and a checkpoint's marks when its paths
//! are all explored (its live and precise locations).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use super::domain::state::{
    reg_loc_covers_alone, slot_is_scalar, slot_loc_covers_alone, RegVal, Slot, State,
};
use super::{Report, Trust, VerifierError, VerifyInput};

/// The counts of one instruction (see [`PruneTrace`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InsnTrace {
    /// Times the instruction was processed (as in [`Report::insns_processed`]).
    pub processed: usize,
    /// Checkpoints stored at it.
    pub checkpoints: usize,
    /// Paths pruned at it.
    pub pruned: usize,
    /// Comparisons with a stored checkpoint that did not prune.
    pub misses: usize,
    /// Checkpoints dropped from it (they kept missing, or made room).
    pub evicted: usize,
}

/// What the pruning did during one verification run (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct PruneTrace {
    /// One entry per instruction slot.
    pub insns: Vec<InsnTrace>,
    /// The events, one line each, when asked for.
    pub events: Vec<String>,
    /// Whether events are recorded.
    pub(crate) with_events: bool,
    /// The states processed, one JSON line each, when asked for ([`super::dump`]).
    pub(crate) states: Option<String>,
}

impl PruneTrace {
    /// The per-instruction table (instructions never processed left out), then the events:
    /// the text `ebpf-dsl check --trace-prune` writes.
    pub fn render(&self) -> String {
        let mut s = String::from("# insn\tprocessed\tcheckpoints\tpruned\tmisses\tevicted\n");
        for (pc, t) in self.insns.iter().enumerate() {
            if t.processed > 0 {
                let _ = writeln!(
                    s,
                    "{pc}\t{}\t{}\t{}\t{}\t{}",
                    t.processed, t.checkpoints, t.pruned, t.misses, t.evicted
                );
            }
        }
        if self.with_events {
            s.push_str("# events\n");
            for e in &self.events {
                s.push_str(e);
                s.push('\n');
            }
        }
        s
    }

    fn at(&mut self, pc: usize) -> &mut InsnTrace {
        if self.insns.len() <= pc {
            self.insns.resize(pc + 1, InsnTrace::default());
        }
        &mut self.insns[pc]
    }

    fn event(&mut self, f: impl FnOnce() -> String) {
        if self.with_events {
            self.events.push(f());
        }
    }
}

/// The recorder shared by the driver and the explorer of one run (`None`: not tracing).
pub(crate) type Tracer = Option<Rc<RefCell<PruneTrace>>>;

/// What is recorded (see [`Tracer`]).
pub(crate) enum Ev<'a> {
    Processed(usize, &'a State),
    Checkpoint {
        pc: usize,
        id: usize,
        parent: Option<usize>,
        st: &'a State,
    },
    Pruned {
        pc: usize,
        by: usize,
    },
    Miss {
        pc: usize,
        id: usize,
        old: &'a State,
        new: &'a State,
        /// The checkpoint's marks, live and precise, frame by frame (the innermost frame's
        /// statically dead registers removed from live; a frame without marks of its own
        /// compared exactly: all ones).
        marks: Vec<(u128, u128)>,
    },
    Evicted {
        pc: usize,
        id: usize,
    },
    Finished {
        id: usize,
        live: u128,
        precise: u128,
    },
}

/// Records `ev` if tracing (in line: the test is all an untraced run pays, at every
/// instruction).
#[inline]
pub(crate) fn record(t: &Tracer, ev: Ev) {
    if let Some(t) = t {
        record_in(t, ev);
    }
}

/// [`record`] into the trace `t` (cold: an event is built only when tracing, and its
/// building stays out of the hot walk's code lines).
#[cold]
#[inline(never)]
fn record_in(t: &Rc<RefCell<PruneTrace>>, ev: Ev) {
    let mut t = t.borrow_mut();
    match ev {
        Ev::Processed(pc, st) => {
            t.at(pc).processed += 1;
            if let Some(out) = &mut t.states {
                super::dump::state_line(out, pc, st);
            }
        }
        Ev::Checkpoint { pc, id, parent, st } => {
            t.at(pc).checkpoints += 1;
            t.event(|| {
                format!(
                    "{pc}: checkpoint #{id} (parent {}): {}",
                    opt(parent),
                    brief(st)
                )
            });
        }
        Ev::Pruned { pc, by } => {
            t.at(pc).pruned += 1;
            t.event(|| format!("{pc}: pruned by #{by}"));
        }
        Ev::Miss {
            pc,
            id,
            old,
            new,
            marks,
        } => {
            t.at(pc).misses += 1;
            t.event(|| format!("{pc}: miss #{id}: {}", difference(old, new, &marks)));
        }
        Ev::Evicted { pc, id } => {
            t.at(pc).evicted += 1;
            t.event(|| format!("{pc}: evicted #{id}"));
        }
        Ev::Finished { id, live, precise } => {
            t.event(|| format!("#{id} done: live {} precise {}", locs(live), locs(precise)));
        }
    }
}

/// A state in one line: the initialised registers and the stack slots that are not unknown
/// bytes, of every frame.
fn brief(st: &State) -> String {
    let mut out = Vec::new();
    for (k, f) in st.frames.iter().enumerate() {
        if st.frames.len() > 1 {
            out.push(format!("[frame {k}]"));
        }
        for (r, v) in f.regs.iter().enumerate() {
            if !matches!(v, RegVal::NotInit) && r != 10 {
                out.push(format!("r{r}={}", reg(v)));
            }
        }
        for (i, s) in f.stack.iter().enumerate() {
            let off = -512 + 8 * i as i32;
            match s {
                Slot::Bytes(_) if s.zero_mask() == 0 => {}
                Slot::Bytes(_) => out.push(format!("fp{off}=zero bytes {:#04x}", s.zero_mask())),
                Slot::Spill(v) => out.push(format!("fp{off}={}", reg(v))),
                Slot::Part(v, n, z, _) => {
                    out.push(format!("fp{off}={n}-byte {v} (zero bytes {z:#04x})"))
                }
            }
        }
    }
    out.join(" ")
}

fn reg(v: &RegVal) -> String {
    match v {
        RegVal::Scalar(s) if s.id() != 0 => format!("{s} (link {})", s.id()),
        RegVal::Scalar(s) => format!("{s}"),
        RegVal::Pkt {
            off,
            var,
            id,
            range,
            ..
        } => {
            format!("pkt(off={off},var={var},id={id},r={range})")
        }
        other => format!("{other:?}"),
    }
}

fn opt(p: Option<usize>) -> String {
    p.map_or("none".into(), |p| format!("#{p}"))
}

/// Location bits (see `super::deps`) as names: `r0`..`r10`, `fp-8`..`fp-512`, `inner`.
pub(crate) fn locs(m: u128) -> String {
    let mut out = Vec::new();
    for b in 0..128u32 {
        if m & (1u128 << b) == 0 {
            continue;
        }
        out.push(match b {
            0..=10 => format!("r{b}"),
            11..=74 => format!("fp{}", -512 + 8 * (b as i32 - 11)),
            _ => "inner".into(),
        });
    }
    if out.is_empty() {
        "-".into()
    } else {
        out.join(",")
    }
}

/// The first location where `old` (with its marks) fails to cover `new`, compared alone,
/// frame by frame (a frame without marks of its own compared exactly).
fn difference(old: &State, new: &State, marks: &[(u128, u128)]) -> String {
    if old.frames.len() != new.frames.len() {
        return format!("{} frames vs {}", old.frames.len(), new.frames.len());
    }
    let several = old.frames.len() > 1;
    for (k, (fo, fnew)) in old.frames.iter().zip(&new.frames).enumerate() {
        let (live, precise) = marks.get(k).copied().unwrap_or((!0, !0));
        let at = if several {
            format!("[frame {k}] ")
        } else {
            String::new()
        };
        if fo.callsite != fnew.callsite || fo.callback_depth > fnew.callback_depth {
            return format!("{at}callsite or callback depth");
        }
        if let Some(d) = frame_difference(fo, fnew, live, precise) {
            return format!("{at}{d}");
        }
        if !super::domain::state::unallocated_covers(fo, fnew, (live >> 11) as u64) {
            return format!(
                "{at}a live slot below the new frame's allocation (from fp{})",
                -512 + 8 * i32::from(fnew.alloc)
            );
        }
    }
    if old.refs.len() != new.refs.len()
        || old.lock != new.lock
        || old.rcu != new.rcu
        || old.taint != new.taint
    {
        return "references, lock, RCU section or taint".into();
    }
    // The first location (frame by frame, registers then slots) whose ids, mapped with those
    // of the locations before it, conflict.
    let mut prefix: Vec<(u128, u128)> = marks.iter().map(|_| (0, 0)).collect();
    for (k, &(live, precise)) in marks.iter().enumerate() {
        for b in 0..128u32 {
            if live & (1u128 << b) == 0 {
                continue;
            }
            prefix[k].0 |= 1u128 << b;
            prefix[k].1 |= precise & (1u128 << b);
            if !super::domain::state::covers_frames(old, new, 0x7ff, &prefix, &[]) {
                return format!("ids (first conflict at frame {k} {})", locs(1u128 << b));
            }
        }
    }
    "ids (each location covers alone)".into()
}

/// The first location of one frame where `fo` fails to cover `fnew` (see [`difference`]).
fn frame_difference(
    fo: &super::domain::state::Frame,
    fnew: &super::domain::state::Frame,
    live: u128,
    precise: u128,
) -> Option<String> {
    for r in 0..11 {
        if live & (1u128 << r) == 0 {
            continue;
        }
        let (o, n) = (&fo.regs[r], &fnew.regs[r]);
        let exact = precise & (1u128 << r) != 0;
        if !reg_loc_covers_alone(o, n, exact) {
            let imprecise = !exact && matches!(o, RegVal::Scalar(_));
            let p = if imprecise { "" } else { " (precise)" };
            return Some(format!("r{r}{p}: {o:?} vs {n:?}"));
        }
    }
    for i in 0..fo.stack.len() {
        let bit = 1u128 << (11 + i);
        if live & bit == 0 {
            continue;
        }
        let (so, sn) = (&fo.stack[i], &fnew.stack[i]);
        let exact = precise & bit != 0;
        if !slot_loc_covers_alone(&fo.stack, &fnew.stack, i, exact) {
            let imprecise = !exact && slot_is_scalar(so);
            let p = if imprecise { "" } else { " (precise)" };
            return Some(format!("fp{}{p}: {so:?} vs {sn:?}", -512 + 8 * i as i32));
        }
    }
    None
}

/// [`super::verify_trusting`], recording what the pruning did (see the module documentation);
/// with `events`, every event too.
pub fn verify_traced(
    input: &VerifyInput,
    trust: &Trust,
    events: bool,
) -> (Result<Report, Vec<VerifierError>>, PruneTrace) {
    let t = Rc::new(RefCell::new(PruneTrace {
        insns: vec![InsnTrace::default(); input.insns.len()],
        events: Vec::new(),
        with_events: events,
        states: None,
    }));
    let verdict = super::verify_with_tracer(input, trust, false, false, Some(Rc::clone(&t)));
    let trace = t.borrow().clone();
    (verdict, trace)
}

/// Walks `input` with exact pruning (see the module documentation) and returns that walk's
/// verdict with one JSON line per instruction processed. The verdict is that of the exact
/// walk, not the program's: take the program's from [`super::verify_trusting`]. (The
/// lines are `dump.rs`'s; the first one describes the program's layout.)
pub fn verify_dumped(
    input: &VerifyInput,
    trust: &Trust,
) -> (Result<Report, Vec<VerifierError>>, String) {
    let t = std::rc::Rc::new(std::cell::RefCell::new(PruneTrace {
        insns: vec![Default::default(); input.insns.len()],
        events: Vec::new(),
        with_events: false,
        states: Some(String::new()),
    }));
    let verdict = super::verify_with_tracer(input, trust, true, false, Some(t.clone()));
    let mut text = super::dump::prog_line(input.insns);
    text.push_str(&t.borrow_mut().states.take().unwrap_or_default());
    if text.len() >= super::dump::MAX_DUMP {
        text.push_str("{\"truncated\":true}\n");
    }
    // The walk's end: `accept`, or `reject` with the instruction and the message.
    match &verdict {
        Ok(_) => text.push_str("{\"end\":\"accept\"}\n"),
        Err(errs) => {
            let (pc, msg) = errs
                .first()
                .map_or((0, String::new()), |e| (e.insn_index, e.message.clone()));
            let msg: String = msg
                .chars()
                .map(|c| {
                    if c == '"' || c == '\\' || c.is_control() {
                        ' '
                    } else {
                        c
                    }
                })
                .collect();
            let _ = writeln!(text, "{{\"end\":\"reject\",\"pc\":{pc},\"msg\":\"{msg}\"}}");
        }
    }
    (verdict, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asm::assemble;
    use crate::ProgramType;

    #[test]
    fn a_trace_counts_what_the_run_reports() {
        let insns =
            assemble("r1 = 0\nr2 = 10\nloop:\nr1 += 1\nif r1 < r2 goto loop\nr0 = 0\nexit\n")
                .expect("assembles");
        let input = VerifyInput::new(&insns.insns, ProgramType::Xdp);
        let plain = super::super::verify(&input).expect("verifies");
        let (verdict, trace) = verify_traced(&input, &Trust::none(), true);
        let r = verdict.expect("verifies traced");
        assert_eq!(r.insns_processed, plain.insns_processed);
        assert_eq!(r.states, plain.states);
        assert_eq!(r.pruned, plain.pruned);
        let sum = |f: fn(&InsnTrace) -> usize| trace.insns.iter().map(f).sum::<usize>();
        assert_eq!(sum(|t| t.processed), r.insns_processed);
        assert_eq!(sum(|t| t.pruned), r.pruned);
        assert_eq!(sum(|t| t.checkpoints), r.states);
        let text = trace.render();
        assert!(text.starts_with("# insn\tprocessed"), "{text}");
        assert!(text.contains(": checkpoint #0"), "{text}");
    }

    #[test]
    fn locations_are_named() {
        assert_eq!(locs(0), "-");
        assert_eq!(locs(1 | 1 << 10 | 1 << 74), "r0,r10,fp-8");
    }

    #[test]
    fn every_processed_instruction_has_a_line() {
        let insns =
            assemble("r1 = 0\nr2 = 10\nloop:\nr1 += 1\nif r1 < r2 goto loop\nr0 = 0\nexit\n")
                .expect("assembles");
        let input = VerifyInput::new(&insns.insns, ProgramType::Xdp);
        let (verdict, text) = verify_dumped(&input, &Trust::none());
        let r = verdict.expect("verifies");
        assert_eq!(text.lines().count(), r.insns_processed + 2);
        assert!(text.ends_with("{\"end\":\"accept\"}\n"), "{text}");
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("{\"prog\":{\"code\":[183,183,7,173,183,149],\"funcs\":[0]}}")
        );
        let first = lines.next().expect("a line");
        assert!(
            first.starts_with("{\"pc\":0,\"depth\":1,\"regs\":{\"1\":{\"t\":\"ctx\",\"off\":0}"),
            "{first}"
        );
        assert!(text.contains("\"pc\":3"), "{text}");
        assert!(text.contains("\"umin\":1,\"umax\":1,"), "{text}");
    }
}
