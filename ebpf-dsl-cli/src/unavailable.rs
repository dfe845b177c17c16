//! `check --unavailable-helpers`: the helpers a target kernel withholds from a program type
//! though its release has them (a kernel built or patched without them), listed or asked of
//! the running kernel (`ebpf_dsl::verifier::VerifyInput::unavailable_helpers`).

use std::borrow::Cow;

use ebpf_dsl::ProgramType;

use crate::CliError;

/// What `--unavailable-helpers` said.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Unavailable {
    /// Not given: the release's table alone decides.
    #[default]
    None,
    /// These helper ids, for every program type.
    Listed(Vec<u32>),
    /// Whatever the running kernel refuses to each program's type (probed, root).
    Running,
}

impl Unavailable {
    /// Parses `running` or a comma-separated list of helper ids and names
    /// (`54,bpf_xdp_adjust_meta`; `bpf_` may be left out).
    pub fn parse(s: &str) -> Result<Unavailable, String> {
        if s == "running" {
            return Ok(Unavailable::Running);
        }
        let mut ids = Vec::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let id = match item.parse::<u32>() {
                Ok(n) if ebpf_dsl::helpers::helper_by_id(n).is_some() => n,
                Ok(n) => {
                    return Err(format!(
                        "--unavailable-helpers: there is no kernel helper #{n} (1 to {})",
                        ebpf_dsl::helpers::MAX_HELPER_ID
                    ))
                }
                Err(_) => {
                    let name = if item.starts_with("bpf_") {
                        Cow::Borrowed(item)
                    } else {
                        Cow::Owned(format!("bpf_{item}"))
                    };
                    ebpf_dsl::helpers::helper_by_name(&name)
                        .map(|h| h.id)
                        .ok_or_else(|| {
                            format!("--unavailable-helpers: `{item}` is neither a helper id nor a helper's name (e.g. 54 or bpf_xdp_adjust_meta), nor `running`")
                        })?
                }
            };
            ids.push(id);
        }
        if ids.is_empty() {
            return Err(
                "--unavailable-helpers: give helper ids or names (54,bpf_xdp_adjust_meta) or `running`"
                    .into(),
            );
        }
        Ok(Unavailable::Listed(ids))
    }

    /// The helpers withheld from programs of `pt`.
    pub fn for_type(&self, pt: ProgramType) -> Result<&[u32], CliError> {
        match self {
            Unavailable::None => Ok(&[]),
            Unavailable::Listed(ids) => Ok(ids),
            Unavailable::Running => xsk_runtime::features::unavailable_helpers(pt).map_err(|e| {
                CliError::Io(format!(
                    "--unavailable-helpers running: probing the running kernel's helpers for {pt} programs failed: {e}{}",
                    e.hint().map(|h| format!(" ({h})")).unwrap_or_default()
                ))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_names_and_running() {
        assert_eq!(Unavailable::parse("running"), Ok(Unavailable::Running));
        assert_eq!(
            Unavailable::parse("54, bpf_xdp_adjust_head,xdp_adjust_tail"),
            Ok(Unavailable::Listed(vec![54, 44, 65]))
        );
        for bad in ["", ",", "0", "212", "bpf_nope", "54;44"] {
            assert!(Unavailable::parse(bad).is_err(), "{bad}");
        }
        let l = Unavailable::Listed(vec![54]);
        assert_eq!(l.for_type(ProgramType::Xdp).unwrap(), &[54]);
        assert!(Unavailable::None
            .for_type(ProgramType::Xdp)
            .unwrap()
            .is_empty());
    }
}
