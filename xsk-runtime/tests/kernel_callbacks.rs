//! Callbacks against the real kernel: programs that pass a function of their own to
//! `bpf_loop` and `bpf_for_each_map_elem` (the function's address written as a label, `r2 =
//! cb ll`, `src = BPF_PSEUDO_FUNC`), loaded through our loader (which gives the kernel the
//! `func_info` it wants for callbacks) and run with `BPF_PROG_TEST_RUN`; the same from the
//! builder API, and from a clang-compiled object through our ELF reader and writer.

use xsk_testkit::kernel_tests;

mod common;

use std::borrow::Cow;
use std::path::Path;
use std::process::Command;

use common::asm;
use ebpf_dsl::dsl::{call_helper, exit, label, ld_func, mov, Program};
use ebpf_dsl::{MapSpec, MapType, Reg};
use xsk_runtime::maps::Array;
use xsk_runtime::test_run::XdpAction;
use xsk_runtime::Loader;

/// A u64 array map of `n` entries called `name`.
fn u64s(name: &'static str, n: u32) -> MapSpec {
    MapSpec {
        name: Cow::Borrowed(name),
        map_type: MapType::Array,
        key_size: 4,
        value_size: 8,
        max_entries: n,
        flags: 0,
        btf: None,
        inner: None,
    }
}

/// A one-entry array map `out` whose value is `n` u64s (written through `map_value(out, 8*i)`).
fn out_map(n: u32) -> MapSpec {
    MapSpec {
        name: Cow::Borrowed("out"),
        value_size: 8 * n,
        max_entries: 1,
        ..u64s("out", 1)
    }
}

/// The u64s of the value of `out`.
fn read_out(loaded: &xsk_runtime::Loaded) -> Vec<u64> {
    let m = loaded.map_ref("out").unwrap();
    let v = m.lookup(&0u32.to_le_bytes()).unwrap().unwrap();
    v.chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

/// `bpf_loop(10, add_index, &acc, 0)`: the callback adds each index to `acc` and stops after
/// index `stop` (returns 1 there). `out` gets the sum and what `bpf_loop` returned.
fn loop_src(stop: u32) -> String {
    format!(
        "
        r1 = 0
        *(u64 *)(r10 - 8) = r1
        r1 = 10
        r2 = add_index ll
        r3 = r10
        r3 += -8
        r4 = 0
        call bpf_loop
        r6 = r0
        r7 = *(u64 *)(r10 - 8)
        r1 = map_value(out, 0) ll
        *(u64 *)(r1 + 0) = r7
        r1 = map_value(out, 8) ll
        *(u64 *)(r1 + 0) = r6
        r0 = XDP_PASS
        exit
    add_index:
        r1 <<= 32
        r1 >>= 32
        r3 = *(u64 *)(r2 + 0)
        r3 += r1
        *(u64 *)(r2 + 0) = r3
        r0 = 0
        if r1 != {stop} goto more
        r0 = 1
    more:
        exit"
    )
}

fn bpf_loop_runs_the_callback() {
    for (stop, sum, loops) in [(100, 45, 10), (5, 15, 6)] {
        let spec = asm("loop_cb", &loop_src(stop), vec![out_map(2)]);
        let loaded = Loader::new().program(spec).load().unwrap();
        let p = loaded.program("loop_cb").unwrap();
        let r = p.test_run(&[0; 64], 1).unwrap();
        assert_eq!(r.action(), Some(XdpAction::Pass));
        assert_eq!(read_out(&loaded), [sum, loops], "stop after index {stop}");
    }
}

const EACH_SRC: &str = "
        r1 = 0
        *(u64 *)(r10 - 16) = r1
        *(u64 *)(r10 - 8) = r1
        r1 = vals ll
        r2 = add_value ll
        r3 = r10
        r3 += -16
        r4 = 0
        call bpf_for_each_map_elem
        r6 = r0
        r7 = *(u64 *)(r10 - 16)
        r8 = *(u64 *)(r10 - 8)
        r1 = map_value(out, 0) ll
        *(u64 *)(r1 + 0) = r7
        r1 = map_value(out, 8) ll
        *(u64 *)(r1 + 0) = r8
        r1 = map_value(out, 16) ll
        *(u64 *)(r1 + 0) = r6
        r0 = XDP_PASS
        exit
    add_value:
        r5 = *(u64 *)(r3 + 0)
        r1 = *(u64 *)(r4 + 0)
        r1 += r5
        *(u64 *)(r4 + 0) = r1
        r5 = *(u32 *)(r2 + 0)
        r1 = *(u64 *)(r4 + 8)
        r1 += r5
        *(u64 *)(r4 + 8) = r1
        r0 = 0
        exit";

fn for_each_map_elem_visits_every_entry() {
    let spec = asm("each_cb", EACH_SRC, vec![u64s("vals", 4), out_map(3)]);
    let loaded = Loader::new().program(spec).load().unwrap();
    let vals: Array<u64> = loaded.map("vals").unwrap();
    for (i, v) in [7u64, 11, 13, 17].iter().enumerate() {
        vals.set(i as u32, v).unwrap();
    }
    let p = loaded.program("each_cb").unwrap();
    let r = p.test_run(&[0; 64], 1).unwrap();
    assert_eq!(r.action(), Some(XdpAction::Pass));
    // Sum of the values, sum of the keys, number of elements visited.
    assert_eq!(read_out(&loaded), [48, 6, 4]);
}

fn builder_ld_func_loads() {
    // bpf_loop(3, cb, NULL, 0): the callback returns 0; r0 = the loop count = 3 = XDP_TX.
    let mut p = Program::xdp("built_cb");
    p.push(mov(Reg::R1, 3))
        .push(ld_func(Reg::R2, "cb"))
        .push(mov(Reg::R3, 0))
        .push(mov(Reg::R4, 0))
        .push(call_helper("bpf_loop").unwrap())
        .push(exit())
        .push(label("cb"))
        .push(mov(Reg::R0, 0))
        .push(exit());
    let spec = p.build().unwrap();
    let loaded = Loader::new().program(spec).load().unwrap();
    let r = loaded
        .program("built_cb")
        .unwrap()
        .test_run(&[0; 64], 1)
        .unwrap();
    assert_eq!(r.action(), Some(XdpAction::Tx));
}

/// `tests/elf/callback.c` of ebpf-dsl compiled by clang-19, read by our reader, loaded; then
/// our writer's object, loaded by bpftool (libbpf). Skipped (printed) without clang-19 or
/// bpftool unless CI=true.
fn clang_object_with_callbacks_loads() {
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("clang-19") || !have("bpftool") {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "clang-19 and bpftool are needed under CI=true"
        );
        eprintln!("skipped: clang-19 or bpftool is not installed");
        return;
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ebpf-dsl/tests/elf/callback.c");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let obj = dir.join("kernel-callback.o");
    let st = Command::new("clang-19")
        .args(["-O2", "-g", "-target", "bpf", "-c"])
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .status()
        .unwrap();
    assert!(st.success());
    let bytes = std::fs::read(&obj).unwrap();
    let loaded = Loader::new().object_bytes(&bytes).unwrap().load().unwrap();
    let vals: Array<u64> = loaded.map("vals").unwrap();
    // 45 from the loop; the values must add 0 for XDP_PASS, anything else gives XDP_DROP.
    let p = loaded.program("loops").unwrap();
    assert_eq!(
        p.test_run(&[0; 64], 1).unwrap().action(),
        Some(XdpAction::Pass)
    );
    vals.set(2, &1).unwrap();
    assert_eq!(
        p.test_run(&[0; 64], 1).unwrap().action(),
        Some(XdpAction::Drop)
    );
    // Our writer's object: libbpf finds the callback through the `.text` relocation.
    let parsed = ebpf_dsl::elf::read_object(&bytes).unwrap();
    let ours = dir.join("kernel-callback-ours.o");
    std::fs::write(&ours, ebpf_dsl::elf::write_object(&parsed).unwrap()).unwrap();
    common::bpftool_loads(&ours, "cb");
}

/// A text program's global functions through our ELF writer, loaded by libbpf (bpftool) and
/// through the runtime's loader: `ctx` is written as a `struct xdp_md *` (the context for every
/// kernel with global functions), `ctx tagged` as a `void *` tagged `arg:ctx` (the context
/// from 6.8 on); the bodies read context fields, so a context typed otherwise is refused. On a
/// kernel that does not read the tag (probed), the runtime's loader writes the tagged argument
/// as a `struct xdp_md *`; the object given to bpftool (whose libbpf may not do the same) is
/// written so too.
fn global_functions_of_the_context_load() {
    let reads_tag = xsk_runtime::features::global_arg_ctx_tag();
    println!(
        "branch: this kernel {} the arg:ctx tag",
        if reads_tag {
            "reads"
        } else {
            "does not read (the loader writes the argument as struct xdp_md *)"
        }
    );
    let text = ".global_func f(ctx, scalar)\n.global_func g(ctx tagged)\nr6 = r1\nr2 = 1\ncall f\nr1 = r6\ncall g\nr0 = 2\nexit\nf:\nr0 = *(u32 *)(r1 + 12)\nexit\ng:\nr0 = *(u32 *)(r1 + 16)\nexit\n";
    let a = ebpf_dsl::asm::assemble(text).unwrap();
    let globals = a.globals.clone();
    let spec = a.into_program_spec("globals", ebpf_dsl::ProgramType::Xdp, "GPL", Vec::new());
    let opts = xsk_runtime::program::LoadOptions {
        globals: globals.clone(),
        ..Default::default()
    };
    let p = xsk_runtime::program::Program::load_with(&spec, &[], &opts).unwrap();
    assert_eq!(
        p.test_run(&[0; 64], 1).unwrap().action(),
        Some(XdpAction::Pass)
    );
    let mut obj = ebpf_dsl::elf::Object::from_programs(&[spec]).unwrap();
    obj.programs[0].globals = if reads_tag {
        globals
    } else {
        use ebpf_dsl::btf::{GlobalArg, GlobalFunc};
        globals
            .into_iter()
            .map(|g| GlobalFunc {
                args: g
                    .args
                    .into_iter()
                    .map(|a| match a {
                        GlobalArg::CtxTagged => GlobalArg::Ctx,
                        a => a,
                    })
                    .collect(),
                ..g
            })
            .collect()
    };
    let path = std::env::temp_dir().join(format!("xsk-test-globals-{}.o", std::process::id()));
    let _obj = common::RemoveOnDrop(path.clone());
    std::fs::write(&path, ebpf_dsl::elf::write_object(&obj).unwrap()).unwrap();
    common::bpftool_loads(&path, "globals");
}

kernel_tests! {
    privileged: [
        bpf_loop_runs_the_callback,
        for_each_map_elem_visits_every_entry,
        builder_ld_func_loads,
        clang_object_with_callbacks_loads,
        global_functions_of_the_context_load,
    ],
}
