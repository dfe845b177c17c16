//! `ld_imm64` (`BPF_LD | BPF_IMM | BPF_DW`): a 64-bit constant, a map (`map_fd`) or a pointer
//! into an array map's value (`map_value`), from the relocations of the program.

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
        let v = match (self.map_refs.get(&pc), pseudo) {
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
                        RegVal::MapValue { map: m, off: offset as i32, var: Scalar::konst(0) }
                    }
                }
            }
            (None, 0) => RegVal::Scalar(Scalar::konst(imm)),
            (None, 1 | 2 | 5 | 6) => {
                return Err(e(pc, Rule::MapReference, "this ld_imm64 refers to a map, but no relocation says which (its key and value sizes are needed)"))
            }
            (None, p) => {
                return Err(e(pc, Rule::Unsupported, format!("ld_imm64 with src_reg {p} (BTF ids, functions) is not modelled by this verifier")))
            }
        };
        self.set(st, dst, v);
        Ok(())
    }
}
