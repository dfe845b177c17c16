//! Statements: labels, snippets, and the dispatch to the instruction forms.

use super::*;

impl<'a> StmtParser<'a> {
    pub(super) fn statement(&mut self, items: &mut Vec<Item>, unique: &mut usize) -> PResult<()> {
        if let Some(Tok::Ident(word)) = self.peek_at(0) {
            if let Some(size) = data_directive_size(word) {
                return self.data(size, items);
            }
        }
        self.cross.borrow_mut().data_must_be_whole()?;
        // Leading labels.
        loop {
            let name = match (self.peek(), self.peek_at(1)) {
                (
                    Some(Token {
                        tok: Tok::Ident(name),
                        ..
                    }),
                    Some(Tok::Punct(':')),
                ) => *name,
                (Some(t), Some(Tok::Punct(':'))) if numeric_label_number(t).is_some() => {
                    self.numeric_label_def(items);
                    continue;
                }
                _ => break,
            };
            let start = self.pos;
            if parse_reg_name(name).is_some() {
                return err(
                    DiagKind::Syntax,
                    self.here(),
                    format!("`{name}` is a register name and cannot be a label"),
                );
            }
            self.pos += 2;
            items.push(
                Item::new(ItemKind::Label(Cow::Owned(name.to_string())))
                    .with_span(self.span_from(start)),
            );
        }
        if self.peek().is_none() {
            return Ok(());
        }
        let start = self.pos;
        // Assembler directives (from `clang -S` output): the ones that do not change the code
        // are skipped, the rest are refused.
        if let Some(Tok::Ident(word)) = self.peek_at(0) {
            if word.starts_with('.') {
                return match *word {
                    ".text" | ".globl" | ".global" | ".p2align" | ".align" | ".type" | ".size"
                    | ".file" | ".addrsig" | ".addrsig_sym" | ".local" | ".hidden" => Ok(()),
                    ".map" => self.map_decl(items),
                    ".section" => self.section_decl(items),
                    ".global_func" => self.global_func_decl(items),
                    _ => err(
                        DiagKind::UnknownInstruction,
                        self.here(),
                        format!(
                            "assembler directive `{word}` is not supported (one program of code per file; maps are declared with `.map NAME TYPE key=.. value=..`)"
                        ),
                    ),
                };
            }
        }
        // Snippets: `name!(args)`.
        if let (Some(Tok::Ident(name)), Some(Tok::Punct('!')), Some(Tok::Punct('('))) =
            (self.peek_at(0), self.peek_at(1), self.peek_at(2))
        {
            return self.snippet(name, items, unique);
        }
        let kind = self.instruction()?;
        self.expect_end()?;
        let span = self.span_from(start);
        items.push(Item::new(kind).with_span(span));
        Ok(())
    }

    /// `.map NAME TYPE ...` ([`crate::asm::mapdecl`]): an [`ItemKind::Map`].
    fn map_decl(&mut self, items: &mut Vec<Item>) -> PResult<()> {
        let start = self.pos;
        let (first, last) = (self.toks[start].span, self.toks[self.toks.len() - 1].span);
        let text = self.src.get(first.end..last.end).unwrap_or("");
        let span = Span::new(first.start, last.end);
        let decl = crate::asm::mapdecl::parse_map_declaration(text).or_else(|why| {
            err(
                DiagKind::Syntax,
                span,
                format!(
                    "{why}; expected {}",
                    crate::asm::mapdecl::MAP_DIRECTIVE_SYNTAX
                ),
            )
        })?;
        self.pos = self.toks.len();
        items.push(Item::new(ItemKind::Map(Box::new(decl))).with_span(span));
        Ok(())
    }

    /// `.global_func NAME(ARGS)` ([`crate::asm::globaldecl`]): an [`ItemKind::GlobalFunc`].
    fn global_func_decl(&mut self, items: &mut Vec<Item>) -> PResult<()> {
        let first = self.toks[self.pos].span;
        let last = self.toks[self.toks.len() - 1].span;
        let text = self.src.get(first.end..last.end).unwrap_or("");
        let span = Span::new(first.start, last.end);
        let g = crate::asm::globaldecl::parse_global_func(text).or_else(|why| {
            err(
                DiagKind::Syntax,
                span,
                format!(
                    "{why}; expected {}",
                    crate::asm::globaldecl::GLOBAL_FUNC_SYNTAX
                ),
            )
        })?;
        self.pos = self.toks.len();
        items.push(Item::new(ItemKind::GlobalFunc(Box::new(g))).with_span(span));
        Ok(())
    }

    /// `.section NAME` ([`crate::asm::section`]): an [`ItemKind::Section`].
    fn section_decl(&mut self, items: &mut Vec<Item>) -> PResult<()> {
        let start = self.pos;
        let first = self.toks[start].span;
        let last = self.toks[self.toks.len() - 1].span;
        let text = self.src.get(first.end..last.end).unwrap_or("");
        let span = Span::new(first.start, last.end);
        let name = crate::asm::section::parse_section_name(text).or_else(|why| {
            err(
                DiagKind::Syntax,
                span,
                format!(
                    "{why}; expected {}",
                    crate::asm::section::SECTION_DIRECTIVE_SYNTAX
                ),
            )
        })?;
        if name.starts_with('.') {
            return err(
                DiagKind::UnknownInstruction,
                span,
                format!(
                    "`.section {name}` is not a program section: the text is the code of one \
                     program (`.section xdp.frags`, `.section xdp/devmap`, ...); maps and global \
                     data are `.map` declarations"
                ),
            );
        }
        self.pos = self.toks.len();
        items.push(Item::new(ItemKind::Section(name)).with_span(span));
        Ok(())
    }

    pub(super) fn snippet(
        &mut self,
        name: &str,
        items: &mut Vec<Item>,
        unique: &mut usize,
    ) -> PResult<()> {
        let start = self.pos;
        let name_span = self.here();
        self.pos += 3;
        let mut args = Vec::new();
        if !self.eat_punct(')') {
            loop {
                let arg = match self.peek_at(0) {
                    Some(Tok::Ident(_)) if self.is_reg() => SnippetArg::Reg(self.reg()?.reg),
                    Some(Tok::Ident(id))
                        if crate::isa::consts::const_by_name(id).is_none()
                            && matches!(self.peek_at(1), Some(Tok::Punct(',' | ')'))) =>
                    {
                        self.pos += 1;
                        SnippetArg::Ident(Cow::Owned(id.to_string()))
                    }
                    _ => {
                        let (v, span) = self.num("a snippet argument")?;
                        let v = i64::try_from(v).or_else(|_| {
                            err(
                                DiagKind::ImmediateRange,
                                span,
                                "snippet argument does not fit in 64 bits",
                            )
                        })?;
                        SnippetArg::Int(v)
                    }
                };
                args.push(arg);
                if self.eat_punct(')') {
                    break;
                }
                self.expect_punct(',')?;
            }
        }
        self.expect_end()?;
        let span = self.span_from(start);
        *unique += 1;
        match crate::snippet::expand(name, &args, *unique) {
            Ok(expanded) => {
                items.extend(expanded.into_iter().map(|it| it.with_span(span)));
                Ok(())
            }
            Err(e) => err(DiagKind::Snippet, name_span, e.to_string()),
        }
    }

    pub(super) fn instruction(&mut self) -> PResult<ItemKind> {
        let span = self.here();
        let Some(tok) = self.peek() else {
            return self.expected("an instruction");
        };
        match &tok.tok {
            Tok::Punct('*') => return self.store(),
            Tok::Ident(_) if self.is_reg() => return self.reg_statement(),
            Tok::Ident(_) => {}
            _ => return self.expected("an instruction"),
        }
        let Tok::Ident(word) = &tok.tok else {
            return self.expected("an instruction");
        };
        self.pos += 1;
        match *word {
            "exit" => Ok(ItemKind::Insn(Insn::new(0x95, 0, 0, 0, 0))),
            "goto" => {
                let target = self.target(i128::from(i16::MIN), i128::from(i16::MAX))?;
                Ok(ItemKind::Jump {
                    insn: Insn::new(Class::Jmp as u8 | JmpOp::Ja as u8, 0, 0, 0, 0),
                    target,
                })
            }
            "gotol" => {
                let target = self.target(i128::from(i32::MIN), i128::from(i32::MAX))?;
                Ok(ItemKind::Jump {
                    insn: Insn::new(Class::Jmp32 as u8 | JmpOp::Ja as u8, 0, 0, 0, 0),
                    target,
                })
            }
            "may_goto" => {
                let target = self.target(i128::from(i16::MIN), i128::from(i16::MAX))?;
                // BPF_JMP | BPF_JCOND (0xe0), kernel 6.9.
                Ok(ItemKind::Jump {
                    insn: Insn::new(0xe5, 0, 0, 0, 0),
                    target,
                })
            }
            "call" => self.call(),
            "callx" => {
                let r = self.reg_wide(true, "the callx target")?;
                // LLVM encodes the register in the dst field.
                Ok(ItemKind::Insn(Insn::new(0x8d, r.reg.num(), 0, 0, 0)))
            }
            "if" => self.cond_jump(),
            "ld_pseudo" => self.ld_pseudo(),
            "lock" => self.lock_atomic(),
            "store_release" => self.store_release(),
            _ if self.is_punct('!') => self.expected("`(` after the snippet name"),
            other => err(
                DiagKind::UnknownInstruction,
                span,
                format!("unknown instruction `{other}` (expected a register, `*(..)`, `if`, `goto`, `call`, `exit`, `lock`, `store_release`, a label `name:` or a snippet `name!(..)`)"),
            ),
        }
    }
}
