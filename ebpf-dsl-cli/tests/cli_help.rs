//! `--help` of the tool and of every subcommand, and the shell completion scripts: printed on
//! stdout with exit status 0; an unknown shell is a usage error.

mod support;
use support::{output as tool, stdout};

#[test]
fn every_subcommand_has_its_own_help() {
    let top = tool(&["--help"]);
    assert!(top.status.success());
    for sub in ["asm", "check", "disasm", "load", "run", "completions"] {
        assert!(
            stdout(&top).contains(sub),
            "{sub} missing in:\n{}",
            stdout(&top)
        );
    }
    for (sub, option) in [
        ("asm", "--unchecked"),
        ("check", "--no-verify"),
        ("check", "--kernel"),
        ("disasm", "<FILE>"),
        ("load", "--verbose"),
        ("run", "--packet"),
        ("run", "--repeat"),
        ("completions", "<SHELL>"),
    ] {
        for args in [vec![sub, "--help"], vec!["help", sub]] {
            let out = tool(&args);
            assert!(out.status.success(), "{args:?}");
            let text = stdout(&out);
            assert!(
                text.contains(&format!("ebpf-dsl {sub}")),
                "{args:?}:\n{text}"
            );
            assert!(text.contains(option), "{args:?}: no {option} in\n{text}");
        }
    }
}

#[test]
fn completion_scripts_for_bash_zsh_and_fish() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef ebpf-dsl"),
        ("fish", "complete -c ebpf-dsl"),
    ] {
        let out = tool(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = stdout(&out);
        assert!(
            script.contains(marker),
            "{shell}: no {marker:?} in the script"
        );
        assert!(
            script.contains("disasm") && script.contains("packet"),
            "{shell}"
        );
    }
    let out = tool(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("usage: ebpf-dsl completions"), "{err}");
}
