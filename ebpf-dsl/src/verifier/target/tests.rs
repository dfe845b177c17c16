use super::*;

#[test]
fn debian_releases_from_uname_v() {
    let deb = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-20)";
    assert_eq!(
        KernelVersion::from_uname("6.1.0-57-amd64\n", deb),
        Some(KernelVersion::with_patch(6, 1, 192))
    );
    // Already a release: kept; another line in `uname -v`, or none: the parsed release.
    let v12 = "#1 SMP PREEMPT_DYNAMIC Debian 6.12.118-1~deb12u1 (2026-11-21)";
    assert_eq!(
        KernelVersion::from_uname("6.12.118+deb12-amd64", v12),
        Some(KernelVersion::with_patch(6, 12, 118))
    );
    assert_eq!(
        KernelVersion::from_uname("6.1.0-57-amd64", v12),
        Some(KernelVersion::with_patch(6, 1, 0))
    );
    assert_eq!(
        KernelVersion::from_uname("6.18.44-fc-v1300", "#1 SMP PREEMPT_DYNAMIC @0"),
        Some(KernelVersion::with_patch(6, 18, 44))
    );
    assert_eq!(
        KernelVersion::from_uname("6.1.0-57-amd64", "Debian"),
        Some(KernelVersion::with_patch(6, 1, 0))
    );
    assert_eq!(KernelVersion::from_uname("x", deb), None);
}

#[test]
fn parses_releases() {
    assert_eq!(
        KernelVersion::parse("6.18.44-fc-v1252"),
        Some(KernelVersion::with_patch(6, 18, 44))
    );
    assert_eq!(KernelVersion::parse("6.6"), Some(KernelVersion::new(6, 6)));
    assert_eq!(
        KernelVersion::parse(" 6.1.30\n"),
        Some(KernelVersion::with_patch(6, 1, 30))
    );
    assert_eq!(
        KernelVersion::parse("6.1.0-28-amd64"),
        Some(KernelVersion::since(6, 1))
    );
    assert_eq!(
        KernelVersion::parse("6.18-rc3"),
        Some(KernelVersion::since(6, 18))
    );
    assert_eq!(
        KernelVersion::parse("6.12.118+deb13"),
        Some(KernelVersion::with_patch(6, 12, 118))
    );
    for bad in [
        "x",
        "6",
        "6.",
        "6.1.",
        "6.1.x",
        "6.x",
        "6.1x",
        "6.1.2.3",
        "6.1.65535",
        "6.1.99999",
        "-6.1",
        "",
    ] {
        assert_eq!(KernelVersion::parse(bad), None, "{bad}");
    }
    assert!(KernelVersion::new(6, 14) > KernelVersion::DEFAULT);
    assert_eq!(KernelVersion::DEFAULT.to_string(), "6.6");
    assert_eq!(KernelVersion::with_patch(6, 1, 30).to_string(), "6.1.30");
    assert_eq!(KernelVersion::since(6, 9).to_string(), "6.9.0");
}

#[test]
fn patch_levels_order_within_their_line() {
    let v = KernelVersion::with_patch;
    // A gate `since` x.y holds for every x.y release, the line as audited too.
    assert!(v(6, 12, 0) >= KernelVersion::BRANCH_RANGES);
    assert!(KernelVersion::new(6, 12) >= KernelVersion::BRANCH_RANGES);
    assert!(KernelVersion::new(6, 11) < KernelVersion::BRANCH_RANGES);
    assert!(v(6, 1, 30) < KernelVersion::new(6, 1));
    assert!(KernelVersion::new(6, 1) < v(6, 2, 0));
    assert_eq!(v(6, 1, 30).line(), KernelVersion::new(6, 1));
    assert_eq!(v(6, 1, 30).patch_level(), Some(30));
    assert_eq!(KernelVersion::new(6, 1).patch_level(), None);
}

#[test]
fn packed_order_is_major_minor_patch() {
    let parts = [0u16, 1, 6, 18, 255, 256, u16::MAX - 1, u16::MAX];
    let mut all = Vec::new();
    for &a in &parts {
        for &b in &parts {
            for &c in &parts {
                all.push(KernelVersion::with_patch(a, b, c));
            }
        }
    }
    for x in &all {
        for y in &all {
            let fields = (x.major, x.minor, x.patch).cmp(&(y.major, y.minor, y.patch));
            assert_eq!(x.cmp(y), fields, "{x:?} {y:?}");
            assert_eq!(x.partial_cmp(y), Some(fields));
            assert_eq!(x < y, fields.is_lt());
            assert_eq!(x <= y, fields.is_le());
            assert_eq!(x > y, fields.is_gt());
            assert_eq!(x >= y, fields.is_ge());
        }
    }
}

#[test]
fn backports_hold_from_their_patch_level_in_their_line_only() {
    let v = KernelVersion::with_patch;
    let st = KernelVersion::ST_IMM_SPILL;
    assert!(!v(6, 1, 35).has(st));
    assert!(v(6, 1, 36).has(st) && KernelVersion::new(6, 1).has(st));
    assert!(v(6, 3, 0).has(st) && KernelVersion::DEFAULT.has(st));
    assert!(!KernelVersion::new(6, 2).has(st), "no 6.2.y has it listed");
    let lsh = KernelVersion::LSH32_SIGNED;
    assert!(!v(6, 12, 74).has(lsh) && v(6, 12, 75).has(lsh));
    assert!(KernelVersion::new(6, 12).has(lsh) && KernelVersion::new(6, 18).has(lsh));
    assert!(!KernelVersion::new(6, 14).has(lsh) && !v(6, 18, 43).has(lsh));
    assert!(v(6, 19, 0).has(lsh) && !KernelVersion::DEFAULT.has(lsh));
    assert!(KernelVersion::new(6, 1).has(lsh) && !v(6, 1, 164).has(lsh));
    let tnum = KernelVersion::TNUM_BRANCH;
    assert!(!v(6, 12, 57).has(tnum) && v(6, 12, 58).has(tnum));
    assert!(KernelVersion::new(6, 12).has(tnum) && !KernelVersion::new(6, 14).has(tnum));
    assert!(v(6, 18, 0).has(tnum));
}

#[test]
fn early_stable_releases_missing_assumed_backports_are_not_supported() {
    let v = KernelVersion::with_patch;
    for (k, first) in [(v(6, 12, 80), "6.12.81"), (v(6, 18, 0), "6.18.44")] {
        let why = k.check_supported().unwrap_err();
        assert!(why.contains(&format!("older than {first}")), "{k}: {why}");
    }
    for k in [
        v(6, 1, 0),
        v(6, 1, 27),
        v(6, 1, 99),
        v(6, 1, 100),
        v(6, 1, 190),
        v(6, 6, 0),
        v(6, 6, 13),
        v(6, 6, 47),
        KernelVersion::new(6, 6),
        v(6, 12, 81),
        v(6, 18, 44),
        v(6, 17, 0),
        KernelVersion::new(6, 18),
    ] {
        assert_eq!(k.check_supported(), Ok(()), "{k}");
    }
}

#[test]
fn targets_before_6_1_are_not_supported() {
    for old in ["5.10", "5.15", "6.0", "4.19.300", "3.1"] {
        let v = KernelVersion::parse(old).unwrap();
        let why = v.check_supported().unwrap_err();
        assert!(why.contains("older than 6.1"), "{old}: {why}");
        assert!(why.contains("--kernel 6.1"), "{old}: {why}");
    }
    for ok in ["6.1", "6.1.192", "6.6", "6.12", "6.18.44", "7.0"] {
        assert_eq!(
            KernelVersion::parse(ok).unwrap().check_supported(),
            Ok(()),
            "{ok}"
        );
    }
    assert!(KernelVersion::OLDEST <= KernelVersion::DEFAULT);
}
