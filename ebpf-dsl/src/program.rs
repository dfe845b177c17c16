//! The pipeline half of the builder API: [`assemble`] (resolve + structural checks) and
//! [`Program`], which collects builder items, snippets and maps and builds the
//! [`ProgramSpec`] a loader needs (optionally through the static verifier). Publicly these are
//! `ebpf_dsl::dsl::{assemble, Program}`, next to the instruction builders of [`crate::ir::build`].

use std::borrow::Cow;
use std::panic::Location;

use crate::asm::Assembled;
use crate::btf::SourceLine;
use crate::error::Error;
use crate::ir::{Item, ItemKind};
use crate::snippet::SnippetArg;
use crate::spec::{MapSpec, ProgramSpec, ProgramType, RelocKind};

/// Resolve and check a builder-made program: labels become jump distances, map names become
/// [`crate::spec::Relocation`]s ([`crate::asm::resolve()`]), then the assembler's structural
/// checks run ([`crate::asm::check()`]: jumps in range, no fall-through off the end, no writes
/// to r10, ...). Every problem is reported, with the instruction index, in
/// [`Error::Assemble`]. clj-ebpf's `assemble` returns bytes; here
/// [`crate::asm::Assembled::to_bytes`] gives them.
///
/// ```
/// use ebpf_dsl::dsl::{assemble, exit, mov};
/// use ebpf_dsl::Reg;
///
/// let a = assemble(&[mov(Reg::R0, 2).into(), exit().into()]).unwrap();
/// assert_eq!(a.to_bytes().len(), 16);
///
/// // A jump to a label that is not there, and no `exit`: both reported.
/// let err = assemble(&[ebpf_dsl::dsl::ja("nowhere"), mov(Reg::R0, 2).into()]).unwrap_err();
/// assert_eq!(err.diagnostics().len(), 1);
/// assert!(err.to_string().contains("nowhere"), "{err}");
/// ```
pub fn assemble(items: &[Item]) -> Result<Assembled, Error> {
    let a = crate::asm::resolve(items)?;
    let errs = crate::asm::check(&a);
    if errs.is_empty() {
        Ok(a)
    } else {
        Err(errs.into())
    }
}

/// A program under construction: name, type, license, items, the maps it uses, and a counter
/// for the `unique` numbers of snippets.
///
/// ```
/// use ebpf_dsl::dsl::Program;
/// use ebpf_dsl::snippet::SnippetArg;
/// use ebpf_dsl::{MapSpec, MapType};
///
/// let xsks = MapSpec {
///     name: "xsks".into(),
///     map_type: MapType::Xskmap,
///     key_size: 4,
///     value_size: 4,
///     max_entries: 64,
///     flags: 0,
///     btf: None,
///     inner: None,
/// };
/// let mut p = Program::xdp("xsk_redirect");
/// p.map(xsks);
/// p.snippet("redirect_to_xsk_by_queue", &[SnippetArg::Ident("xsks".into())])
///     .unwrap();
/// let spec = p.build().unwrap();
/// assert_eq!(spec.insns.len(), 6);
/// assert_eq!(spec.relocations[0].symbol, "xsks");
/// ```
#[derive(Clone, Debug)]
pub struct Program {
    name: Cow<'static, str>,
    prog_type: ProgramType,
    license: Cow<'static, str>,
    items: Vec<Item>,
    /// Where each item was pushed from (`#[track_caller]`), one per item.
    locs: Vec<&'static Location<'static>>,
    maps: Vec<MapSpec>,
    next_unique: usize,
}

impl Program {
    /// An empty program of type `prog_type`, license `"GPL"`.
    pub fn new(name: impl Into<Cow<'static, str>>, prog_type: ProgramType) -> Program {
        Program {
            name: name.into(),
            prog_type,
            license: Cow::Borrowed("GPL"),
            items: Vec::new(),
            locs: Vec::new(),
            maps: Vec::new(),
            next_unique: 0,
        }
    }

    /// An empty XDP program (`BPF_PROG_TYPE_XDP`), license `"GPL"`.
    pub fn xdp(name: impl Into<Cow<'static, str>>) -> Program {
        Program::new(name, ProgramType::Xdp)
    }

    /// Sets the license string (`"GPL"` unlocks the GPL-only helpers).
    pub fn license(&mut self, license: impl Into<Cow<'static, str>>) -> &mut Program {
        self.license = license.into();
        self
    }

    /// Records the spec of a map the program references by name, so the loader can create it
    /// (a [`MapSpec`] or a `defmap!` item).
    pub fn map(&mut self, spec: impl Into<MapSpec>) -> &mut Program {
        self.maps.push(spec.into());
        self
    }

    /// Appends one instruction or item. The caller's file, line and column become the
    /// source line of its instructions ([`ProgramSpec::lines`], see [`Program::build`]).
    #[track_caller]
    pub fn push(&mut self, item: impl Into<Item>) -> &mut Program {
        self.items.push(item.into());
        self.locs.push(Location::caller());
        self
    }

    /// Appends several instructions or items (e.g. what an [`crate::xdp`] function returns),
    /// all with the caller's source line.
    #[track_caller]
    pub fn extend<I: Into<Item>>(&mut self, items: impl IntoIterator<Item = I>) -> &mut Program {
        let at = Location::caller();
        self.items.extend(items.into_iter().map(Into::into));
        self.locs.resize(self.items.len(), at);
        self
    }

    /// A number not handed out before in this program, for the `unique` argument of the
    /// [`crate::xdp`] functions that define internal labels.
    pub fn unique(&mut self) -> usize {
        self.next_unique += 1;
        self.next_unique
    }

    /// Appends the expansion of the snippet `name` ([`crate::snippet::expand`]); on bad
    /// arguments nothing is appended and the [`Error::Snippet`] says what is wrong.
    #[track_caller]
    pub fn snippet(&mut self, name: &str, args: &[SnippetArg]) -> Result<&mut Program, Error> {
        let unique = self.unique();
        let items = crate::snippet::expand(name, args, unique)?;
        self.items.extend(items);
        self.locs.resize(self.items.len(), Location::caller());
        Ok(self)
    }

    /// The items so far.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Resolves and checks the items ([`assemble`]).
    pub fn assemble(&self) -> Result<Assembled, Error> {
        assemble(&self.items)
    }

    /// Resolves and checks the items and returns the [`ProgramSpec`] for the loader. Each
    /// instruction's [`ProgramSpec::lines`] entry is the Rust file, line and column of the
    /// [`Program::push`] (or `extend`, `snippet`) that added it, with its disassembly as the
    /// text, as `defprogram!` records its lines: the kernel's verifier log and `bpftool prog
    /// dump xlated ... linum` name the builder code.
    ///
    /// ```
    /// use ebpf_dsl::dsl::{exit, mov, Program};
    /// let mut p = Program::xdp("pass");
    /// p.push(mov(ebpf_dsl::Reg::R0, 2));
    /// p.push(exit());
    /// let spec = p.build().unwrap();
    /// assert_eq!(spec.lines[1].line, spec.lines[0].line + 1);
    /// assert_eq!(spec.lines[0].text, "r0 = 0x2");
    /// ```
    pub fn build(self) -> Result<ProgramSpec, Error> {
        let a = assemble(&self.items)?;
        let lines = builder_lines(&self.items, &self.locs, &a.insns);
        let mut spec = a.into_program_spec(self.name, self.prog_type, self.license, self.maps);
        spec.lines = Cow::Owned(lines);
        Ok(spec)
    }

    /// [`Program::build`], then the static verifier ([`crate::verifier::verify`]) with the
    /// program's type, license and maps: a program generated at run time is rejected here,
    /// with the instruction and the rule it breaks, rather than by the kernel at load time.
    /// The verifier models XDP, socket filter and tc programs; for other types it rejects
    /// (use [`Program::build`] for those).
    ///
    /// ```
    /// use ebpf_dsl::dsl::{exit, ldx, mov, Program};
    /// use ebpf_dsl::insn::Size;
    /// use ebpf_dsl::Reg;
    ///
    /// let mut ok = Program::xdp("pass");
    /// ok.push(mov(Reg::R0, 2)).push(exit());
    /// assert!(ok.build_verified().is_ok());
    ///
    /// // Reads the packet without checking it against data_end: structurally fine, but the
    /// // verifier (like the kernel's) rejects it.
    /// let mut bad = Program::xdp("unchecked");
    /// bad.push(ldx(Size::W, Reg::R2, Reg::R1, 0)) // r2 = ctx->data
    ///     .push(ldx(Size::B, Reg::R0, Reg::R2, 0)) // r0 = *(u8 *)(r2 + 0)
    ///     .push(exit());
    /// assert!(bad.clone().build().is_ok());
    /// let err = bad.build_verified().unwrap_err();
    /// assert!(matches!(err, ebpf_dsl::Error::Verify(_)), "{err}");
    /// ```
    pub fn build_verified(self) -> Result<ProgramSpec, Error> {
        let spec = self.build()?;
        let input = crate::verifier::VerifyInput {
            license: &spec.license,
            ..crate::verifier::VerifyInput::new(&spec.insns, spec.prog_type)
                .with_maps(&spec.relocations, &spec.maps)
        };
        crate::verifier::verify(&input)?;
        Ok(spec)
    }
}

/// One [`SourceLine`] per instruction of `items` (placed in order, as the resolve step places
/// them) at the location it was pushed from, its disassembly as the text.
fn builder_lines(
    items: &[Item],
    locs: &[&'static Location<'static>],
    insns: &[crate::isa::insn::Insn],
) -> Vec<SourceLine> {
    let text: std::collections::HashMap<usize, String> = crate::isa::decode::decode_indexed(insns)
        .map(|d| d.into_iter().map(|(i, d)| (i, d.to_string())).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut slot = 0;
    for (item, at) in items.iter().zip(locs) {
        if item.slots() > 0 {
            let text = match &item.kind {
                ItemKind::MapRef {
                    dst,
                    map,
                    kind: RelocKind::MapFd,
                } => Some(format!("r{} = {map} ll", dst.num())),
                ItemKind::MapRef {
                    dst,
                    map,
                    kind: RelocKind::MapValue { offset },
                } => Some(format!("r{} = map_value({map}, {offset:#x}) ll", dst.num())),
                _ => text.get(&slot).cloned(),
            };
            out.push(SourceLine {
                insn: slot as u32,
                file: Cow::Borrowed(at.file()),
                line: at.line(),
                col: at.column(),
                text: Cow::Owned(text.unwrap_or_default()),
            });
        }
        slot += item.slots();
    }
    out
}
