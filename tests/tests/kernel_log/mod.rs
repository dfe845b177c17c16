//! Reading the kernel verifier's log (`log_level` 1) of a rejected program: the instruction it
//! names and its message, sorted into coarse classes so they can be set against our rules.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ebpf_dsl::verifier::VerifierError;
use ebpf_dsl::ProgramType;

/// What the kernel said when it rejected a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelRejection {
    /// The instruction the kernel names: the last instruction line of the trace before the
    /// error (`12: (71) r5 = ...`), or for the checks that run before the trace (the control
    /// flow graph: "unreachable insn 5", "back-edge from insn 7 to 3", "jump out of range from
    /// insn 2 to 9") the first `insn N` of the message. `None` when it names none.
    pub insn: Option<usize>,
    /// The error: the lines after the last instruction line, without the statistics lines.
    pub message: String,
}

/// The index of an instruction line of the trace (`12: (71) r5 = *(u8 *)(r2 +23)`).
fn insn_line(line: &str) -> Option<usize> {
    let (n, rest) = line.split_once(": (")?;
    let op = rest.get(..3)?;
    if !op.ends_with(')') || !op[..2].chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    n.parse().ok()
}

/// The first number after `insn ` in `text`.
fn insn_in_text(text: &str) -> Option<usize> {
    text.match_indices("insn ").find_map(|(i, m)| {
        let digits: String = text[i + m.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    })
}

/// Lines the kernel adds after every verdict.
fn statistics(line: &str) -> bool {
    line.starts_with("processed ")
        || line.starts_with("verification time")
        || line.starts_with("stack depth")
        || line.starts_with("-- END PROG LOAD LOG --")
        || line.trim().is_empty()
}

/// Reads the rejection out of a verifier log.
pub fn rejection(log: &str) -> KernelRejection {
    let lines: Vec<&str> = log.lines().collect();
    let last_insn = lines.iter().rposition(|l| insn_line(l).is_some());
    let after = last_insn.map_or(0, |i| i + 1);
    let message: Vec<&str> = lines[after..]
        .iter()
        .copied()
        .filter(|l| !statistics(l))
        .collect();
    let message = message.join(" | ");
    // A message that names its instruction ("infinite loop detected at insn 9") is more
    // precise than the trace, whose last line may be the jump that got there.
    let insn = insn_in_text(&message).or_else(|| last_insn.and_then(|i| insn_line(lines[i])));
    KernelRejection { insn, message }
}

/// A coarse class of a kernel verifier message (what kind of mistake it reports), so that
/// the kernel's reasons can be tabulated against our rules.
pub fn class(message: &str) -> &'static str {
    const CLASSES: &[(&str, &str)] = &[
        ("unreachable insn", "unreachable"),
        ("back-edge", "loop"),
        ("infinite loop", "loop"),
        ("jump out of range", "structure"),
        ("jump into the middle", "structure"),
        ("last insn is not an exit or jmp", "structure"),
        ("BPF program is too large", "complexity"),
        ("too many states", "complexity"),
        ("the call stack of", "call stack"),
        ("combined stack size", "call stack"),
        ("frame pointer is read only", "frame pointer"),
        ("!read_ok", "uninitialized register"),
        ("invalid access to packet", "packet access"),
        ("offset is outside of the packet", "packet access"),
        ("invalid access to map value", "map value access"),
        ("_or_null", "null check"),
        ("invalid mem access 'scalar'", "scalar dereference"),
        ("invalid mem access", "memory access"),
        ("invalid access to memory", "memory access"),
        ("invalid bpf_context access", "context access"),
        ("at the time of BPF_LD_ABS", "ld_abs context"),
        ("min value is negative", "unbounded offset"),
        ("unbounded memory access", "unbounded offset"),
        ("pointer be out of bounds", "pointer out of bounds"),
        ("math between", "pointer arithmetic"),
        ("pointer arithmetic", "pointer arithmetic"),
        ("pointer and register", "pointer arithmetic"),
        ("misaligned", "alignment"),
        ("register fill", "stack access"),
        ("register spill", "stack access"),
        ("invalid stack", "stack access"),
        ("to stack", "stack access"),
        ("from stack", "stack access"),
        ("stack off", "stack access"),
        ("cannot return stack pointer", "stack pointer escape"),
        ("div by zero", "division by zero"),
        ("invalid shift", "shift"),
        ("unknown func", "unknown helper"),
        ("invalid func", "unknown helper"),
        ("cannot call", "helper not allowed"),
        (
            "program of this type cannot use helper",
            "helper not allowed",
        ),
        ("cannot pass map_type", "map compatibility"),
        ("expected=", "helper argument type"),
        ("Unreleased reference", "reference leak"),
        ("leaks addr", "pointer leak"),
        ("At program exit", "return value"),
        ("R0 has", "return value"),
        ("is not pointing to valid bpf_map", "map reference"),
        ("direct value access", "map reference"),
        ("unknown opcode", "unknown opcode"),
        ("not allowed", "other not allowed"),
        ("invalid", "other invalid"),
    ];
    CLASSES
        .iter()
        .find(|(needle, _)| message.contains(needle))
        .map_or("other", |(_, c)| c)
}

/// Programs both sides reject: does the kernel name the instruction we name, and which of its
/// reasons meet which of our rules.
#[derive(Default)]
pub struct BothReject {
    same_insn: usize,
    other_insn: usize,
    kernel_names_none: usize,
    /// (our rule, the kernel's class) -> count.
    reasons: BTreeMap<(&'static str, &'static str), usize>,
    /// A few instruction mismatches, to look at.
    examples: Vec<String>,
    /// Kernel messages no class matched (digits as `N`), to refine the classes.
    unclassified: BTreeMap<String, usize>,
}

impl BothReject {
    /// Records one program both reject: our first finding and the kernel's log.
    pub fn add(&mut self, pt: ProgramType, ours: &VerifierError, log: &str, src: &str) {
        let k = rejection(log);
        let c = class(&k.message);
        *self.reasons.entry((ours.rule.name(), c)).or_default() += 1;
        if c.starts_with("other") {
            let first = k.message.split(" | ").next().unwrap_or("");
            let norm: String = first
                .chars()
                .map(|ch| if ch.is_ascii_digit() { 'N' } else { ch })
                .collect();
            *self.unclassified.entry(norm).or_default() += 1;
        }
        match k.insn {
            None => self.kernel_names_none += 1,
            Some(i) if i == ours.insn_index => self.same_insn += 1,
            Some(i) => {
                self.other_insn += 1;
                if self.examples.len() < 5 {
                    self.examples.push(format!(
                        "--- {pt}: ours insn {} ({}), kernel insn {i} ({})\n{src}",
                        ours.insn_index, ours.message, k.message
                    ));
                }
            }
        }
    }

    /// The comparison as printed: instruction agreement counts, then the reason table.
    pub fn report(&self) -> String {
        let mut s = String::new();
        let total = self.same_insn + self.other_insn + self.kernel_names_none;
        let _ = writeln!(
            s,
            "both reject: {total} programs; the kernel names the instruction we name in {}, \
             another one in {}, none in {}",
            self.same_insn, self.other_insn, self.kernel_names_none
        );
        let _ = writeln!(
            s,
            "{:<22} {:<24} {:>8}",
            "our rule", "kernel's reason", "programs"
        );
        for ((ours, kernel), n) in &self.reasons {
            let _ = writeln!(s, "{ours:<22} {kernel:<24} {n:>8}");
        }
        for (m, n) in self.unclassified.iter().take(20) {
            let _ = writeln!(s, "kernel's reason not classified x{n}: {m}");
        }
        for e in &self.examples {
            let _ = writeln!(s, "instruction differs\n{e}");
        }
        s
    }

    /// Programs where both name an instruction and it differs.
    pub fn other_insn(&self) -> usize {
        self.other_insn
    }
}
