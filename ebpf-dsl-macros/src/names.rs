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

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
