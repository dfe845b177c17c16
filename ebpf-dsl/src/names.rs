//! Names, the bottom layer: the kernel's rule for map and program names, and the one "did you
//! mean" matcher used for every misspelt name (helpers and constants in the assembler, map
//! types, program types, options and flags in `defmap!` / `defprogram!`).

/// The longest name the kernel keeps for a map or program (`BPF_OBJ_NAME_LEN` - 1).
pub const BPF_OBJ_NAME_MAX: usize = 15;

/// Whether `c` may appear in a kernel object name (`[A-Za-z0-9_.]`, as `bpf_obj_name_cpy`
/// accepts); also the assembler's identifier characters, so any map name the assembler reads
/// is spelt in the kernel's alphabet.
pub const fn is_obj_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Checks a kernel-visible map or program name the way `bpf_obj_name_cpy` does: at most 15
/// characters, each `[A-Za-z0-9_.]`. The error says what is wrong (without the name).
///
/// ```
/// use ebpf_dsl::names::check_obj_name;
/// assert!(check_obj_name("xsks_map").is_ok());
/// assert!(check_obj_name("sixteen_chars_xx").is_err());
/// assert!(check_obj_name("xsk-map").is_err());
/// ```
pub fn check_obj_name(name: &str) -> Result<(), String> {
    if name.len() > BPF_OBJ_NAME_MAX {
        return Err(format!(
            "{} characters, but the kernel keeps at most {BPF_OBJ_NAME_MAX} (BPF_OBJ_NAME_LEN - 1) \
             and refuses longer names with EINVAL",
            name.chars().count()
        ));
    }
    if let Some(c) = name.chars().find(|c| !is_obj_name_char(*c)) {
        return Err(format!(
            "the character {c:?} is not allowed: the kernel accepts only letters, digits, `_` \
             and `.` (EINVAL)"
        ));
    }
    Ok(())
}

/// The candidate closest to `word` by [`edit_distance`] (case ignored), if it is close enough
/// to be a likely typo: at most a third of the word's length, at least 1. Ties go to the
/// earlier candidate.
///
/// ```
/// use ebpf_dsl::names::closest;
/// assert_eq!(closest("xpd", ["xdp", "lsm"]), Some("xdp"));
/// assert_eq!(closest("ringbuffer", ["hash", "array"]), None);
/// ```
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    let limit = (w.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&w, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance counting an insertion, a deletion, a substitution or a swap of two
/// neighbouring characters (`xpd` for `xdp`) as one edit (optimal string alignment, the
/// Levenshtein distance plus transpositions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Rows i-2, i-1 and i of the distance table.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 0..a.len() {
        let mut cur = vec![i + 1];
        for j in 0..b.len() {
            let mut d = (prev[j] + usize::from(a[i] != b[j]))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                d = d.min(before[j - 1] + 1);
            }
            cur.push(d);
        }
        before = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("xdp", "xpd"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("bpf_redirect_mapp", "bpf_redirect_map"), 1);
    }

    #[test]
    fn names() {
        assert!(check_obj_name("exactly_15_char").is_ok());
        assert!(check_obj_name("a.b_c9").is_ok());
        assert!(check_obj_name("sixteen_chars_xx")
            .unwrap_err()
            .starts_with("16 characters"));
        assert!(!is_obj_name_char('-'));
    }
}
