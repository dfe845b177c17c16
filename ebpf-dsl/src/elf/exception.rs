//! The exception callback a program's main function declares (the decl tag
//! `exception_callback:NAME` on its `FUNC`), found and checked as the kernel's
//! `bpf_find_exception_callback_insn_off` does; used by the reader (`read.rs`).

/// The values of the `exception_callback:` decl tags on `FUNC` `entry` itself.
pub(super) fn exception_tags(btf: &crate::btf::Btf, entry: u32) -> Vec<&str> {
    use crate::xdp::exception::EXCEPTION_CALLBACK_TAG;
    btf.types
        .iter()
        .filter_map(|t| match t.kind {
            crate::btf::Kind::DeclTag {
                ty,
                component_idx: -1,
            } if ty == entry => t.name.strip_prefix(EXCEPTION_CALLBACK_TAG),
            _ => None,
        })
        .collect()
}

/// The exception callback the main program's `FUNC` `entry` declares (the decl tag
/// `exception_callback:NAME`, see [`crate::xdp::exception`]), as the kernel's
/// `bpf_find_exception_callback_insn_off` finds it: `None` without a tag; `Ok(id)`, the
/// callback's `FUNC`, when the kernel takes it (if no function loaded with the program has
/// that `FUNC`, the kernel refuses the load: "exception callback type id not found in
/// func_info", which the verifier reports); `Err(why)` with the kernel's other refusals.
pub(super) fn exception_callback(btf: &crate::btf::Btf, entry: u32) -> Option<Result<u32, String>> {
    let tags = exception_tags(btf, entry);
    let name = *tags.first()?;
    if tags.len() > 1 {
        return Some(Err(
            "the main program's BTF names more than one exception callback (the kernel's \"multiple exception callback tags for main subprog\")".into(),
        ));
    }
    let Some(id) = (1..btf.types.len() as u32 + 1).find(|&id| {
        btf.get(id)
            .is_some_and(|t| t.name == name && matches!(t.kind, crate::btf::Kind::Func { .. }))
    }) else {
        return Some(Err(format!(
            "the exception callback `{name}` is no function of the object's BTF (the kernel's \"exception callback '{name}' could not be found in BTF\")"
        )));
    };
    if !matches!(
        btf.get(id).map(|t| &t.kind),
        Some(crate::btf::Kind::Func {
            linkage: crate::btf::Linkage::Global,
            ..
        })
    ) {
        return Some(Err(format!(
            "the exception callback `{name}` is a static function (the kernel's \"exception callback '{name}' must have global linkage\")"
        )));
    }
    if id == entry {
        return Some(Err(
            "the main program names itself as its exception callback (the kernel's \"invalid exception callback insn_off in func_info: 0\")".into(),
        ));
    }
    Some(Ok(id))
}

#[cfg(test)]
#[path = "read_exception_tests.rs"]
mod exception_tests;
