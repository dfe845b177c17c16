//! The names of a kernel's symbols (`/proc/kallsyms`): what the kernel's
//! `kallsyms_lookup_name` finds when it checks an `ld_imm64` of a kernel variable
//! (`BPF_PSEUDO_BTF_ID`, `check_pseudo_btf_id`). A variable in the kernel's BTF is loaded only
//! if its name is also a symbol: a kernel built without `CONFIG_KALLSYMS_ALL` lists its
//! functions but almost none of its data, so it refuses every such variable ("ldimm64 failed
//! to find the address for kernel symbol 'X'"), 6.18.44 here among them.

use std::collections::HashSet;

/// The symbol names of one kernel (vmlinux's and its loaded modules'), as `/proc/kallsyms`
/// lists them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kallsyms {
    names: HashSet<String>,
}

/// Where the running kernel lists its symbols.
pub const KALLSYMS_PATH: &str = "/proc/kallsyms";

impl Kallsyms {
    /// The names of `/proc/kallsyms`-formatted text (`ADDRESS TYPE NAME [MODULE]` a line).
    /// A name with clang's `.llvm.NNN` suffix is also known without it, as
    /// `kallsyms_lookup_name` matches it. Lines of another shape are skipped.
    pub fn parse(text: &str) -> Kallsyms {
        let mut names = HashSet::new();
        for line in text.lines() {
            let mut f = line.split_whitespace();
            let (Some(_), Some(_), Some(name)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            if let Some((base, _)) = name.split_once(".llvm.") {
                names.insert(base.to_string());
            }
            names.insert(name.to_string());
        }
        Kallsyms { names }
    }

    /// A set of the given names (tests, a target described by hand).
    pub fn from_names<I, S>(names: I) -> Kallsyms
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Kallsyms {
            names: names.into_iter().map(Into::into).collect(),
        }
    }

    /// The running kernel's ([`KALLSYMS_PATH`]).
    pub fn running() -> std::io::Result<Kallsyms> {
        std::fs::read_to_string(KALLSYMS_PATH).map(|t| Kallsyms::parse(&t))
    }

    /// Whether the kernel has a symbol called `name` (`kallsyms_lookup_name(name) != 0`).
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// How many names it holds.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether it holds no name.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kallsyms_lines() {
        let k = Kallsyms::parse(
            "ffffffff81000000 T _stext\n0000000000000000 T bpf_map_lookup_elem\n\
             0 t helper.llvm.123 \nffffffffc0000000 t mod_fn\t[nf_tables]\nbroken\n",
        );
        assert!(k.contains("_stext"));
        assert!(k.contains("bpf_map_lookup_elem"));
        assert!(k.contains("helper"));
        assert!(k.contains("helper.llvm.123"));
        assert!(k.contains("mod_fn"));
        assert!(!k.contains("broken"));
        assert_eq!(k.len(), 5);
    }
}
