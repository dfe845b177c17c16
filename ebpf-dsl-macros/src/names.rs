//! Kernel object names and "did you mean" suggestions.

use ebpf_dsl::spec::BPF_OBJ_NAME_MAX;

/// Checks a kernel-visible map or program name the way `bpf_obj_name_cpy` does: at most 15
/// characters, each `[A-Za-z0-9_.]`.
pub fn check_obj_name(name: &str) -> Result<(), String> {
    if name.len() > BPF_OBJ_NAME_MAX {
        return Err(format!(
            "{} characters, but the kernel keeps at most {BPF_OBJ_NAME_MAX} (BPF_OBJ_NAME_LEN - 1) \
             and refuses longer names with EINVAL",
            name.chars().count()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '.'))
    {
        return Err(format!(
            "the character {c:?} is not allowed: the kernel accepts only letters, digits, `_` \
             and `.` (EINVAL)"
        ));
    }
    Ok(())
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    let limit = (w.len() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (levenshtein(&w, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance counting an insertion, a deletion, a substitution or a swap of two
/// neighbouring characters (`xpd` for `xdp`) as one edit (optimal string alignment).
fn levenshtein(a: &str, b: &str) -> usize {
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
