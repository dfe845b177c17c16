//! Constant strings (`ARG_PTR_TO_CONST_STR`, the kernel's `check_reg_const_str`) and the
//! format of `bpf_snprintf` (`check_bpf_snprintf_call`, `bpf_bprintf_prepare`).
//!
//! A constant string lives in a frozen read-only map (`.rodata`, see `transfer/rodata.rs`):
//! the verifier reads its bytes. The argument must point into such a map's value at a
//! constant offset, the map must be a one-entry array, and a NUL must end the string within
//! the value. `bpf_strncmp` takes one as its second string; `bpf_snprintf` takes its format
//! from one, and the verifier parses that format: every conversion must be one the kernel
//! supports, and there must be no more of them than the `r5 / 8` arguments given.

use super::*;

/// `BPF_FUNC_snprintf`.
pub(crate) const SNPRINTF: i32 = 165;

impl<'a> Exec<'a> {
    /// Checks that `v` (register `r`, an argument of helper `name`) is a constant string: a
    /// pointer at a constant offset into a frozen read-only one-entry array whose value holds
    /// a NUL after it. Returns the string's bytes (without the NUL).
    pub(crate) fn check_const_str(&self, pc: usize, r: u8, v: &RegVal, name: &str) -> R<&'a [u8]> {
        let bad = |why: String| Err(e(pc, Rule::HelperArgument, format!("bpf_{name}: {why}")));
        let RegVal::MapValue { map, off, var, .. } = v else {
            return bad(format!(
                "r{r} must point to a constant string in a frozen read-only map (`.rodata`), but r{r} is {}",
                self.describe(v)
            ));
        };
        let spec = self.map(*map);
        let Some(bytes) = self.frozen_bytes(*map) else {
            return bad(format!(
                "r{r} points into map `{}`, which is not a read-only map the loader freezes (BPF_F_RDONLY_PROG and initial contents, e.g. `.rodata`): the kernel reads a constant string only from such a map",
                spec.name_str()
            ));
        };
        if var.as_const().is_none() {
            return bad(format!(
                "r{r} is {}: a constant string needs a constant offset",
                self.describe(v)
            ));
        }
        if spec.map_type != MapType::Array {
            return bad(format!(
                "map `{}` is a {}: constant strings are read only from arrays",
                spec.name_str(),
                spec.map_type
            ));
        }
        // `check_map_access(reg->off, value_size - reg->off)`: the rest of the value from the
        // pointer's own offset, plus its variable offset, must lie within the value.
        let size = spec.value_size as i64 - *off as i64;
        let lo = *off as i64 + var.smin;
        let hi = *off as i64 + var.umax as i64 + size;
        if size <= 0 || lo < 0 || hi > spec.value_size as i64 || var.umax >= MAX_VAR_OFF as u64 {
            return bad(format!(
                "r{r} is {}: the string from there to the end of the {}-byte value is not within the value",
                self.describe(v),
                spec.value_size
            ));
        }
        if spec.max_entries != 1 {
            return bad(format!(
                "map `{}` has {} entries: the kernel reads a constant string only from an array of one entry (direct value access)",
                spec.name_str(),
                spec.max_entries
            ));
        }
        let start = *off as usize;
        if bytes.len() != spec.value_size as usize {
            return bad(format!(
                "the initial contents of map `{}` ({} bytes) are not its {}-byte value",
                spec.name_str(),
                bytes.len(),
                spec.value_size
            ));
        }
        match bytes[start..].iter().position(|&b| b == 0) {
            Some(end) => Ok(&bytes[start..start + end]),
            None => bad(format!(
                "the string at offset {start} of map `{}` is not NUL-terminated within the value",
                spec.name_str()
            )),
        }
    }

    /// `bpf_snprintf`: the format (r3, already a constant string) is one the kernel's
    /// `bpf_bprintf_prepare` accepts with the number of arguments r5 gives (its known bits
    /// divided by 8, as the kernel reads `var_off.value`; not a multiple of 8 is refused).
    pub(crate) fn check_snprintf_format(&self, pc: usize, st: &State) -> R<()> {
        let regs = &st.cur().regs;
        let fmt = self.check_const_str(pc, 3, &regs[3], "snprintf")?;
        let RegVal::Scalar(len) = &regs[5] else {
            return Err(e(
                pc,
                Rule::HelperArgument,
                "bpf_snprintf: r5 (the data length) must be a number",
            ));
        };
        let len = len.t.value;
        if len % 8 != 0 {
            return Err(e(pc, Rule::HelperArgument, format!(
                "bpf_snprintf: the data length r5 is {len}, not a multiple of 8 (the arguments are an array of u64)"
            )));
        }
        check_format(fmt, len / 8).map_err(|why| {
            e(
                pc,
                Rule::HelperArgument,
                format!(
                    "bpf_snprintf: the format \"{}\" is refused by the kernel: {why}",
                    fmt.escape_ascii()
                ),
            )
        })
    }
}

/// ASCII `isprint`.
fn printable(c: u8) -> bool {
    (0x20..0x7f).contains(&c)
}

/// ASCII `isspace`.
fn space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// ASCII `ispunct`.
fn punct(c: u8) -> bool {
    printable(c) && c != b' ' && !c.is_ascii_alphanumeric()
}

/// Whether the kernel's `bpf_bprintf_prepare` accepts the format `fmt` (without its NUL) with
/// `num_args` arguments; the reason when it does not. A byte of 0x80 or more is refused here
/// (kernels differ: older ones refuse it, newer ones let UTF-8 through).
pub(crate) fn check_format(fmt: &[u8], num_args: u64) -> Result<(), String> {
    if let Some(i) = fmt.iter().position(|&c| c >= 0x80) {
        return Err(format!(
            "byte {i} is not ASCII (kernels before UTF-8 support refuse it)"
        ));
    }
    // The byte at `i`, the NUL past the end.
    let at = |i: usize| fmt.get(i).copied().unwrap_or(0);
    let mut specs = 0u64;
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        if !printable(c) && !space(c) {
            return Err(format!("byte {i} (0x{c:02x}) is a control character"));
        }
        if c != b'%' {
            i += 1;
            continue;
        }
        if at(i + 1) == b'%' {
            i += 2;
            continue;
        }
        if specs >= num_args {
            return Err(format!(
                "conversion {} at byte {i} has no argument ({num_args} given: r5 / 8)",
                specs + 1
            ));
        }
        let start = i;
        i += 1;
        // Flags and width: "[0 +-]*[1-9][0-9]*".
        while matches!(at(i), b'0' | b'+' | b'-' | b' ') {
            i += 1;
        }
        if (b'1'..=b'9').contains(&at(i)) {
            i += 1;
            while at(i).is_ascii_digit() {
                i += 1;
            }
        }
        let bad = || format!("unsupported conversion at byte {start}");
        let string_end_ok = |n: u8| n == 0 || space(n) || punct(n);
        match at(i) {
            b'p' => {
                let n = at(i + 1);
                if string_end_ok(n) {
                    // "%p" alone.
                } else if matches!(n, b'k' | b'u') && at(i + 2) == b's' {
                    i += 2;
                    if !string_end_ok(at(i + 1)) {
                        return Err(bad());
                    }
                } else if matches!(n, b'K' | b'x' | b's' | b'S' | b'B') {
                    i += 1;
                } else if matches!(n, b'i' | b'I') && matches!(at(i + 2), b'4' | b'6') {
                    i += 2;
                } else {
                    return Err(bad());
                }
            }
            b's' => {
                if !string_end_ok(at(i + 1)) {
                    return Err(bad());
                }
            }
            b'c' => {}
            _ => {
                if at(i) == b'l' {
                    i += 1;
                }
                if at(i) == b'l' {
                    i += 1;
                }
                if !matches!(at(i), b'i' | b'd' | b'u' | b'x' | b'X') {
                    return Err(bad());
                }
            }
        }
        specs += 1;
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::check_format;
    use crate::asm::assemble_unchecked;
    use crate::spec::{GlobalData, MapSpec, MapType, ProgramType};
    use crate::verifier::{verify, Rule, VerifyInput};

    #[test]
    fn formats_the_kernel_takes() {
        for (f, n) in [
            ("plain text", 0),
            ("100%% sure", 0),
            ("%d %u %x %X %i", 5),
            ("%ld %lld %lu %llx %08x %-5d %+d % d", 8),
            ("%s, %pks. %pus %c", 4),
            ("%p %pK %px %ps %pS %pB", 6),
            ("%pI4 %pi6 %pI6", 3),
            ("tab\there\n", 0),
            ("%d", 3),
        ] {
            assert_eq!(check_format(f.as_bytes(), n), Ok(()), "{f}");
        }
    }

    #[test]
    fn formats_the_kernel_refuses() {
        for (f, n) in [
            ("%d", 0),
            ("%d %d", 1),
            ("%f", 1),
            ("%hd", 1),
            ("%lllx", 1),
            ("%sx", 1),
            ("%pI5", 1),
            ("%pQ", 1),
            ("%pksx", 1),
            ("%", 1),
            ("bell\x07", 0),
            ("caf\u{e9}", 0),
        ] {
            assert!(check_format(f.as_bytes(), n).is_err(), "{f:?} with {n}");
        }
    }

    fn maps() -> Vec<MapSpec> {
        let map = |name: &'static str, max_entries, flags| MapSpec {
            name: Cow::Borrowed(name),
            map_type: MapType::Array,
            key_size: 4,
            value_size: 16,
            max_entries,
            flags,
            btf: None,
            inner: None,
        };
        vec![
            map(".rodata", 1, 1 << 7),
            map("multi", 2, 1 << 7),
            map("rw", 1, 0),
        ]
    }

    /// `.rodata`: "abc\0%d %s\0" then six bytes of 'x' without a NUL.
    fn data() -> Vec<GlobalData> {
        let mut bytes = b"abc\0%d %s\0".to_vec();
        bytes.extend_from_slice(b"xxxxxx");
        ["rw", ".rodata", "multi"]
            .iter()
            .map(|m| GlobalData {
                map: m.to_string(),
                section: m.to_string(),
                bytes: bytes.clone(),
                read_only: *m != "rw",
            })
            .collect()
    }

    /// The verdict on `body` after `r6` = a 16-byte zeroed stack buffer at r10 - 16.
    fn check(body: &str) -> Result<(), (Rule, String)> {
        let src = format!(
            "*(u64 *)(r10 - 8) = 0\n*(u64 *)(r10 - 16) = 0\nr6 = r10\nr6 += -16\n{body}\nr0 = 0\nexit\n"
        );
        let a = assemble_unchecked(&src).unwrap_or_else(|e| panic!("{e:?}"));
        let maps = maps();
        let data = data();
        let input = VerifyInput::new(&a.insns, ProgramType::Xdp)
            .with_maps(&a.relocations, &maps)
            .with_data(&data);
        verify(&input)
            .map(drop)
            .map_err(|e| (e[0].rule, e[0].message.clone()))
    }

    const STRNCMP: &str = "r1 = r6\nr2 = 4\nr3 = map_value(.rodata, 0) ll\ncall bpf_strncmp";

    #[test]
    fn strncmp_takes_a_constant_string_of_a_frozen_map() {
        assert_eq!(check(STRNCMP), Ok(()));
        // The string at offset 4 ("%d %s") is NUL-terminated too.
        assert_eq!(
            check(&STRNCMP.replace("(.rodata, 0)", "(.rodata, 4)")),
            Ok(())
        );
        let refused = |body: &str, what: &str| {
            let (rule, msg) = check(body).expect_err(body);
            assert_eq!(rule, Rule::HelperArgument, "{msg}");
            assert!(msg.contains(what), "{body}: {msg}");
        };
        // No NUL after offset 10.
        refused(
            &STRNCMP.replace("(.rodata, 0)", "(.rodata, 10)"),
            "not NUL-terminated",
        );
        // Not frozen, more than one entry, on the stack.
        refused(&STRNCMP.replace(".rodata", "rw"), "not a read-only map");
        // (A lookup: `map_value` of a 2-entry array is refused when the program loads.)
        refused(
            "*(u32 *)(r10 - 20) = 0\nr2 = r10\nr2 += -20\nr1 = multi ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto skip\nr1 = r6\nr2 = 4\nr3 = r0\ncall bpf_strncmp\nskip:",
            "array of one entry",
        );
        refused(
            "r1 = r6\nr2 = 4\nr3 = r6\ncall bpf_strncmp",
            "constant string in a frozen",
        );
        // A size of 0 (ARG_CONST_SIZE).
        refused(&STRNCMP.replace("r2 = 4", "r2 = 0"), "not zero");
    }

    const SNPRINTF: &str = "*(u64 *)(r10 - 24) = 7\n*(u64 *)(r10 - 32) = 0\nr1 = r6\nr2 = 16\nr3 = map_value(.rodata, 4) ll\nr4 = r10\nr4 += -32\nr5 = 16\ncall bpf_snprintf";

    #[test]
    fn snprintf_checks_its_format_against_the_arguments() {
        assert_eq!(check(SNPRINTF), Ok(()));
        // No output buffer: NULL with size 0.
        assert_eq!(
            check(&SNPRINTF.replace("r1 = r6\nr2 = 16", "r1 = 0\nr2 = 0")),
            Ok(())
        );
        let refused = |body: &str, what: &str| {
            let (rule, msg) = check(body).expect_err(body);
            assert_eq!(rule, Rule::HelperArgument, "{msg}");
            assert!(msg.contains(what), "{body}: {msg}");
        };
        // "%d %s" needs 2 arguments; 8 bytes give 1.
        refused(&SNPRINTF.replace("r5 = 16", "r5 = 8"), "has no argument");
        refused(&SNPRINTF.replace("r5 = 16", "r5 = 12"), "multiple of 8");
        // NULL output with a size.
        refused(&SNPRINTF.replace("r1 = r6", "r1 = 0"), "must be 0");
    }
}
