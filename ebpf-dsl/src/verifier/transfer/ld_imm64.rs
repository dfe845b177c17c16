//! `ld_imm64` (`BPF_LD | BPF_IMM | BPF_DW`): a 64-bit constant, a map (`map_fd`) or a pointer
//! into an array map's value (`map_value`), from the relocations of the program; a kernel
//! variable or function by its BTF id (`BPF_PSEUDO_BTF_ID`, `ksym.rs`).

use super::*;

impl<'a> Exec<'a> {
    /// `dst = imm` (or the map / map value its relocation names).
    pub(crate) fn ld_imm64(
        &mut self,
        pc: usize,
        st: &mut State,
        dst: u8,
        pseudo: u8,
        imm: u64,
    ) -> R<()> {
        self.write_dst(pc, dst)?;
        let v = self.ld_imm64_value(pc, pseudo, imm)?;
        self.set(st, dst, v);
        Ok(())
    }

    /// The value loaded at `pc`, checked: a map reference needs a relocation, and a
    /// `map_value` one an array map and an offset inside its value.
    fn ld_imm64_value(&self, pc: usize, pseudo: u8, imm: u64) -> R<RegVal> {
        Ok(match (self.map_refs.get(&pc), pseudo) {
            (Some(&(m, kind)), _) => {
                let spec = self.map(m);
                match kind {
                    RelocKind::MapFd => RegVal::MapPtr { map: m },
                    RelocKind::MapValue { offset } => {
                        if !matches!(spec.map_type, crate::spec::MapType::Array) {
                            return Err(e(pc, Rule::MapReference, format!(
                                "direct value access (`map_value`) needs an array map; `{}` is a {}",
                                spec.name_str(), spec.map_type
                            )));
                        }
                        if offset >= spec.value_size {
                            return Err(e(pc, Rule::MapValueBounds, format!(
                                "offset {offset} is outside the {}-byte value of map `{}`",
                                spec.value_size, spec.name_str()
                            )));
                        }
                        RegVal::MapValue { map: m, off: offset as i32, var: Scalar::konst(0), id: 0 }
                    }
                }
            }
            (None, 0) => RegVal::Scalar(Scalar::konst(imm)),
            // `r2 = my_callback ll`: the cfg checked that the target starts a function.
            (None, 4) => RegVal::Func {
                target: (pc as i64 + 1 + i64::from(imm as u32 as i32)) as u32,
            },
            // A kernel variable or function by its BTF id (`ksym.rs`).
            (None, 3) => return self.ksym_load(pc, imm),
            (None, 1 | 2 | 5 | 6) => {
                return Err(e(pc, Rule::MapReference, "this ld_imm64 refers to a map, but no relocation says which (its key and value sizes are needed)"))
            }
            (None, p) => {
                return Err(e(pc, Rule::Unsupported, format!("ld_imm64 with src_reg {p} (BTF ids, functions) is not modelled by this verifier")))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    #[test]
    fn constants_and_maps() {
        let mut st = state(&[]);
        assert_eq!(
            One::new("r1 = 0x1122334455667788 ll\nexit").next(&mut st),
            2
        );
        assert_eq!(*reg(&st, 1), konst(0x1122_3344_5566_7788));
        One::new("r2 = hash ll\nexit").next(&mut st);
        assert_eq!(*reg(&st, 2), RegVal::MapPtr { map: 1 });
        let (rule, _) = One::new("r10 = 1 ll\nexit").refused(&mut st);
        assert_eq!(rule, Rule::FramePointer);
    }
}
