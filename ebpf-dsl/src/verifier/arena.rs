//! BPF arenas (`BPF_MAP_TYPE_ARENA`, Linux 6.9): memory shared with user space, which a
//! program reaches through arena pointers (`PTR_TO_ARENA`, made by `addr_space_cast` from the
//! arena's address space 1) and allocates with the arena kfuncs
//! ([`crate::xdp::arena::ArenaKfunc`]).
//!
//! Not modelled: the reference kernel (Linux 6.18.44 as deployed here) refuses to create an
//! arena map whatever its attributes (`BPF_MAP_CREATE` fails with EPERM before the arena's own
//! checks) and offers the arena kfuncs to no program type, so no program using an arena loads
//! there and no verdict of its can be compared. This verifier therefore refuses, before
//! anything else (the kernel binds a program to its arena when it resolves the `ld_imm64`s,
//! before verification):
//!
//! * a program that loads an arena map (`r1 = arena ll`, `map_value(arena, OFF)`): not
//!   modelled, with the reason;
//! * without one, every `addr_space_cast` (`cfg.rs`, the kernel's "can only be used in a
//!   program that has an associated arena") and every arena kfunc call
//!   (`transfer/call/kfunc_arena.rs`, "calling kernel function ... is not allowed").

use crate::spec::MapType;

use super::{Rule, VerifierError, VerifyInput};

/// The refusal of every `ld_imm64` of an arena map in `input` (none: `Ok`).
pub(crate) fn check_arena_maps(input: &VerifyInput) -> Result<(), Vec<VerifierError>> {
    let errors: Vec<VerifierError> = input
        .relocations
        .iter()
        .filter_map(|r| {
            let spec = input.maps.iter().find(|m| m.name_str() == r.symbol)?;
            (spec.map_type == MapType::Arena).then(|| VerifierError {
                insn_index: r.insn_index,
                rule: Rule::Unsupported,
                message: format!(
                    "ld_imm64 of `{}`, a BPF arena (BPF_MAP_TYPE_ARENA): arenas and arena pointers (addr_space_cast, PTR_TO_ARENA) are not modelled by this verifier; the reference kernel (6.18 here) cannot create an arena map (BPF_MAP_CREATE: EPERM), so such a program cannot load there",
                    spec.name_str()
                ),
            })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use crate::asm::assemble_unchecked;
    use crate::spec::{MapSpec, MapType, ProgramType};
    use crate::verifier::{verify, Rule, VerifyInput};

    fn maps() -> Vec<MapSpec> {
        let map =
            |name: &'static str, map_type, key_size, value_size, max_entries, flags| MapSpec {
                name: Cow::Borrowed(name),
                map_type,
                key_size,
                value_size,
                max_entries,
                flags,
                btf: None,
                inner: None,
            };
        vec![
            map("arena", MapType::Arena, 0, 0, 2, 1 << 10),
            map("arr", MapType::Array, 4, 8, 1, 0),
        ]
    }

    fn refused(src: &str) -> (usize, Rule, String) {
        let a = assemble_unchecked(src).unwrap_or_else(|d| panic!("{d:?}"));
        let maps = maps();
        let input =
            VerifyInput::new(&a.insns, ProgramType::SocketFilter).with_maps(&a.relocations, &maps);
        let errs = verify(&input).expect_err("refused");
        let e = &errs[0];
        (e.insn_index, e.rule, e.message.clone())
    }

    #[test]
    fn a_program_loading_an_arena_is_not_modelled() {
        let (at, rule, msg) =
            refused("r0 = 0\nr1 = arena ll\nr1 = 0\nr1 = addr_space_cast(r1, 0, 1)\nexit");
        assert_eq!((at, rule), (1, Rule::Unsupported), "{msg}");
        assert!(msg.contains("`arena`, a BPF arena"), "{msg}");
        // even in code no path reaches, as the kernel binds the arena before verifying
        let (at, rule, _) = refused("r0 = 0\nexit\nr1 = arena ll\nexit");
        assert_eq!((at, rule), (2, Rule::Unsupported));
    }

    #[test]
    fn a_cast_without_an_arena_gets_the_kernels_message() {
        let (at, rule, msg) =
            refused("r1 = arr ll\nr1 = 0\nr1 = addr_space_cast(r1, 0, 1)\nr0 = 0\nexit");
        assert_eq!((at, rule), (3, Rule::MapReference), "{msg}");
        assert!(
            msg.starts_with(
                "addr_space_cast insn can only be used in a program that has an associated arena"
            ),
            "{msg}"
        );
        let (_, _, msg) = refused("r1 = 0\nr1 = addr_space_cast(r1, 1, 0)\nr0 = 0\nexit");
        assert!(msg.contains("associated arena"), "{msg}");
        let (at, rule, msg) = refused("r1 = 0\nr1 = addr_space_cast(r1, 0, 2)\nr0 = 0\nexit");
        assert_eq!((at, rule), (1, Rule::Structure), "{msg}");
        assert!(
            msg.ends_with("addr_space_cast insn can only convert between address space 1 and 0"),
            "{msg}"
        );
    }
}
