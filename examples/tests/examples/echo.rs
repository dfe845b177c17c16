//! `xsk-echo`: every request answered, in every idle mode, in bursts, and on an interface.

use crate::common::{run, ONE_AT_A_TIME};

pub fn echo_answers_every_request() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run(
        env!("CARGO_BIN_EXE_xsk-echo"),
        &["--requests", "50", "--duration", "8"],
    );
    r.ok().sandbox_removed();
    assert!(
        r.stdout.contains("50 of 50 requests answered correctly"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("ECHO OK"), "{}", r.stdout);
}

/// The idle modes the latency benchmark uses (`--poll`, `--spin`, `--busy-poll`) answer every
/// request too.
pub fn echo_poll_and_spin_answer_every_request() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for mode in ["--poll", "--spin", "--busy-poll"] {
        let r = run(
            env!("CARGO_BIN_EXE_xsk-echo"),
            &["--requests", "30", "--duration", "8", mode],
        );
        r.ok().sandbox_removed();
        assert!(
            r.stdout.contains("30 of 30 requests answered correctly"),
            "{mode}: {}",
            r.stdout
        );
    }
    let r = run(env!("CARGO_BIN_EXE_xsk-echo"), &["--poll", "--spin"]);
    assert_eq!(r.code, Some(2), "--poll with --spin is a usage error");
    for pair in [["--busy-poll", "--poll"], ["--busy-poll", "--spin"]] {
        let r = run(env!("CARGO_BIN_EXE_xsk-echo"), &pair);
        assert_eq!(r.code, Some(2), "{pair:?} is a usage error");
    }
}

/// Bursts of 64 requests sent back to back are answered in full in every idle mode: in copy
/// mode one TX kick sends at most 32 frames, and the server must kick again while the kernel
/// has not taken all it queued (before, in `--busy-poll`, `--spin` and the nap mode, a burst's
/// tail waited in the TX ring for the next request: 32 of 1,280 answered). Sleeping, a round
/// leaves at most 32 answers to the wait to send (the kernel's budget of one poll) and kicks
/// the rest itself, with either wait (`--wait epoll|poll`) or with the kick before every wait.
/// Bursts are load for `--spin-before-sleep` (rounds close together): 25 µs kicks and
/// watches the rings between them, `0` (the default) leaves every send to the wait, and a
/// long watch (1,000 µs) takes each burst's tail awake.
pub fn echo_answers_bursts_in_every_mode() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let modes: [&[&str]; 9] = [
        &["--busy-poll"],
        &["--spin"],
        &["--poll"],
        &["--poll", "--spin-before-sleep", "25"],
        &["--poll", "--spin-before-sleep", "1000"],
        &["--poll", "--wait", "poll"],
        &["--poll", "--wait", "poll", "--spin-before-sleep", "25"],
        &["--poll", "--kick-before-wait"],
        &[],
    ];
    for mode in modes {
        for burst in ["64", "20"] {
            let mut args = vec!["--requests", "640", "--burst", burst, "--duration", "20"];
            args.extend_from_slice(mode);
            let r = run(env!("CARGO_BIN_EXE_xsk-echo"), &args);
            r.ok().sandbox_removed();
            assert!(
                r.stdout.contains("640 of 640 requests answered correctly"),
                "{mode:?} --burst {burst}: {}",
                r.stdout
            );
        }
    }
    for bad in ["0", "257"] {
        let r = run(env!("CARGO_BIN_EXE_xsk-echo"), &["--burst", bad]);
        assert_eq!(r.code, Some(2), "--burst {bad} is a usage error");
    }
    let r = run(
        env!("CARGO_BIN_EXE_xsk-echo"),
        &["--poll", "--wait", "select"],
    );
    assert_eq!(r.code, Some(2), "--wait select is a usage error");
    let r = run(
        env!("CARGO_BIN_EXE_xsk-echo"),
        &["--poll", "--spin-before-sleep", "1001"],
    );
    assert_eq!(
        r.code,
        Some(2),
        "--spin-before-sleep above 1000 is a usage error"
    );
}

/// On an interface (`--iface`, the latency benchmark's way: a UMEM of `--frames` frames, every
/// one on a fill ring as large, as the C reference sets it up) the echo answers every request
/// of an ordinary UDP client in the far namespace, and stops at `--count`. `--frames` must be a
/// power of two from 64 to 65,536.
pub fn echo_on_an_interface_answers_every_request() {
    use std::net::{SocketAddr, UdpSocket};
    use std::time::Duration;
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for frames in ["4096", "256"] {
        let sb = xsk_examples::sandbox::Sandbox::new("echoif", 1).expect("sandbox");
        let (left, right) = (sb.pair.left.ipv4, sb.pair.right.ipv4);
        let server = std::process::Command::new("ip")
            .args(["netns", "exec", sb.pair.left.ns.name()])
            .args([
                env!("CARGO_BIN_EXE_xsk-echo"),
                "--iface",
                &sb.pair.left.name,
            ])
            .args([
                "--queue",
                "0",
                "--poll",
                "--duration",
                "20",
                "--count",
                "20",
            ])
            .args(["--frames", frames])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starting xsk-echo --iface");
        let answered = sb
            .pair
            .right
            .ns
            .spawn(move || {
                let s = UdpSocket::bind((right, 0)).expect("bind");
                s.set_read_timeout(Some(Duration::from_millis(300)))
                    .unwrap();
                let to = SocketAddr::from((left, 7777));
                let mut buf = [0u8; 256];
                let mut ok = 0;
                // The server needs a moment to attach: a request without an answer is resent
                // (at most 100 tries in all).
                let mut tries = 0;
                while ok < 20 && tries < 100 {
                    tries += 1;
                    let msg = format!("request {ok} of frames");
                    s.send_to(msg.as_bytes(), to).expect("send");
                    if let Ok((n, from)) = s.recv_from(&mut buf) {
                        if from == to && &buf[..n] == msg.as_bytes() {
                            ok += 1;
                        }
                    }
                }
                ok
            })
            .join()
            .expect("the client thread");
        let out = server.wait_with_output().expect("xsk-echo --iface");
        let stdout = String::from_utf8_lossy(&out.stdout);
        println!(
            "--frames {frames}:\n{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        sb.remove();
        assert_eq!(
            answered, 20,
            "--frames {frames}: answers that came back right"
        );
        assert_eq!(out.status.code(), Some(0), "--frames {frames}");
        assert!(stdout.contains("answered 20 packets"), "{stdout}");
    }
    for bad in ["100", "32", "131072"] {
        let r = run(env!("CARGO_BIN_EXE_xsk-echo"), &["--frames", bad]);
        assert_eq!(r.code, Some(2), "--frames {bad} is a usage error");
    }
}
