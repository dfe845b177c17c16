//! Argument values shared by the clap definitions (`cli`) and the commands that use them:
//! below both, so that neither imports the other for them.

use crate::CliError;

/// The largest `--repeat`: at a few hundred ns a run, the kernel is busy for about a minute.
pub const MAX_REPEAT: u32 = 100_000_000;

/// Hex digits to bytes; whitespace, `:` and `-` between them and a leading `0x` are ignored.
/// Works on characters, so any text gives an error, never a panic.
pub fn parse_hex(s: &str) -> Result<Vec<u8>, CliError> {
    let t = s.trim();
    let t = t.strip_prefix("0x").unwrap_or(t);
    let digits: Vec<char> = t
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':' && *c != '-')
        .collect();
    if let Some(bad) = digits.iter().find(|c| !c.is_ascii_hexdigit()) {
        return Err(CliError::Usage(format!(
            "--packet: `{bad}` is not a hex digit (expected pairs of 0-9 a-f, e.g. 0011aabb)"
        )));
    }
    if !digits.len().is_multiple_of(2) {
        return Err(CliError::Usage(format!(
            "--packet: odd number of hex digits ({})",
            digits.len()
        )));
    }
    Ok(digits
        .chunks(2)
        .map(|pair| {
            let hi = pair[0].to_digit(16).unwrap_or(0);
            let lo = pair[1].to_digit(16).unwrap_or(0);
            (hi * 16 + lo) as u8
        })
        .collect())
}
