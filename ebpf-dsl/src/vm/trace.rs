//! Trace mode: every executed instruction with the registers it changed.

use core::fmt;

/// One executed instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEntry {
    /// The slot index of the instruction.
    pub pc: usize,
    /// The instruction as the disassembler prints it.
    pub insn: String,
    /// The registers it changed, with their new values (`r10` changes on calls and returns).
    pub changed: Vec<(u8, u64)>,
}

impl fmt::Display for TraceEntry {
    /// `   3: r0 = 0x2            ; r0 = 0x2`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>5}: {:<36}", self.pc, self.insn)?;
        if !self.changed.is_empty() {
            f.write_str(" ;")?;
            for (r, v) in &self.changed {
                write!(f, " r{r} = {v:#x}")?;
            }
        }
        Ok(())
    }
}

/// The whole trace, one line per executed instruction.
pub fn render(trace: &[TraceEntry]) -> String {
    let mut s = String::new();
    for t in trace {
        s.push_str(t.to_string().trim_end());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_changes() {
        let t = TraceEntry {
            pc: 3,
            insn: "r0 = 0x2".into(),
            changed: vec![(0, 2)],
        };
        assert_eq!(
            render(&[t]),
            format!("    3: r0 = 0x2{} ; r0 = 0x2\n", " ".repeat(28))
        );
    }
}
