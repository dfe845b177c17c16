//! Exhaustive grids against the kernel (`grid_gen`): where the random fuzzers sample, these
//! enumerate small programs cell by cell and compare the static verifier's verdict (targeting
//! the running kernel) with the running kernel's (`BPF_PROG_LOAD` as root) on each.
//!
//! Areas, for every program type the static verifier models (socket filter, XDP, tc
//! classifier and action):
//! - `ctx`: every offset of `struct xdp_md` / `struct __sk_buff` to 16 bytes past its end ×
//!   sizes 1, 2, 4, 8 × load, sign-extending load, store of a register, store of an
//!   immediate, atomic add, fetch-add, xchg, cmpxchg, load-acquire, store-release, on `r1`;
//!   loads and stores through a copy (`r2 = r1`), one moved by 8 (by a constant, by a
//!   register holding 8, and moved back by -8), and one moved by an unknown 0 or 8; XDP
//!   programs loaded for a devmap and a cpumap entry (`egress_ifindex`).
//! - `sock`: the same offsets × sizes × loads, stores and atomic adds on `__sk_buff.sk`,
//!   `bpf_sk_fullsock`, `bpf_tcp_sock`, `bpf_get_listener_sock`, `bpf_sk_lookup_tcp`,
//!   `bpf_skc_lookup_tcp` (alone and through `bpf_tcp_sock` / `bpf_sk_fullsock`) and an
//!   XSKMAP entry (`struct bpf_xdp_sock`).
//! - `helper`: every helper number 0 ..= 213 called from each type, compared only on "may
//!   this type call it" (the kernel's `invalid func` / `program of this type cannot use
//!   helper` against any other outcome).
//! - `mapptr`: `struct bpf_map` read (and written) through the map pointer of each data map
//!   type and an XSKMAP, every offset to 16 bytes past it × size, with and without the
//!   kernel's BTF.
//! - `mapval`: the value of each data map type and devmap at its end (`value_size - size - 1
//!   ..= value_size + 1`, and 0 and -1) × size × access kind, at a constant offset and with
//!   an unknown 0..=3 or 0 / 4 added; a ring buffer reservation the same way; every offset
//!   of values holding a `bpf_spin_lock` or a `bpf_timer`, of arrays read-only and write-only
//!   for programs, and the end of an array of maps' inner array.
//! - `pkt`: packet and metadata accesses at every offset from -1 to `n + 1` after a check of
//!   `start + n` against the end in each comparison form (fall-through and taken branches,
//!   both operand orders, `!=`, the 32-bit form).
//! - `stack`: every stack offset × size × load and store on a fresh stack, and near a slot
//!   holding a spilled number, context pointer, 32-bit number or stored zero × access kind.
//! - `alu`, `jmp`, `null`: every ALU operation (64 and 32 bits) on a pointer of each kind
//!   with each kind of operand; every conditional jump comparing one with numbers and
//!   pointers; a map value or socket that may be NULL compared with 0 or 1 in every form and
//!   read on either branch.
//! - `hmem`: every modelled helper taking only a context, numbers and (memory, size) pairs,
//!   from each type offered it, one memory argument at each offset of -1..=16 into a 16-byte
//!   region (stack, uninitialised stack, map value, packet, ring buffer) × sizes 0..=17.
//! - `leak`: a pointer of each kind (context, stack, map value, map, packet, packet end,
//!   socket) stored whole or in part into each memory (context, map value, stack, packet).
//!
//! The test fails on any false accept (a cell we accept and the kernel refuses), and when an
//! area's false rejects pass 1% of the cells the kernel accepts in it. A map-pointer read
//! refused without the kernel's BTF, asking for it (pointer members of `struct bpf_map`, the
//! map type's own fields past it: by design, `transfer/map_ptr.rs`) is counted apart, not as
//! a false reject; the same cells are verified with the BTF too, where they count. Every
//! false reject is listed by row (`GRID_SHOW=n`: `n` cells of each row, default 3).
//!
//! A full run is about 240,000 cells (90 s in debug, 32 s in release); by default each row
//! keeps one cell in `GRID_STRIDE` (default 10; a different phase per row, so every row, and
//! so every class, is still covered; the helper, leak, ALU, jump and null-check grids are
//! always whole): about 34,000 cells, 10-15 s in debug, 6 s in release. `GRID_FULL=1` runs
//! every cell, `GRID_AREA=ctx|sock|pkt|stack|alu|jmp|null|hmem|helper|mapptr|mapval|leak` one
//! area.
//! Needs root; skips with a message otherwise unless `CI=true`.

use xsk_testkit::kernel_tests;

mod common;
mod grid_gen;
use common::Row;
use grid_gen::{Cell, Compare, Thin};

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify, Rule, VerifyInput};
use xsk_runtime::maps::Map;

/// Whether the kernel's log says the program type may not call the helper at all.
fn kernel_refuses_helper(log: &str) -> bool {
    log.contains("invalid func")
        || log.contains("unknown func")
        || log.contains("cannot use helper")
}

/// Whether our first message says the program type may not call the helper at all.
fn we_refuse_helper(e: &ebpf_dsl::verifier::VerifierError) -> bool {
    e.rule == Rule::HelperNotAllowed
        || (e.rule == Rule::UnknownHelper && e.message.contains("there is no kernel helper"))
}

/// The running kernel's verdict on the cell's program (`Err(log)`: its verifier refused it);
/// any other load failure is the grid's own mistake and panics.
fn kernel_verdict(
    cell: &Cell,
    a: &ebpf_dsl::asm::Assembled,
    specs: &[ebpf_dsl::MapSpec],
    maps: &[&Map],
) -> Result<(), String> {
    if cell.attach.is_none() && a.maps.is_empty() {
        return common::kernel_verdict("grid", cell.pt, a, specs, maps, &cell.src);
    }
    let spec = a
        .clone()
        .into_program_spec("grid", cell.pt, "GPL", specs.to_vec());
    let opts = xsk_runtime::program::LoadOptions {
        expected_attach_type: cell.attach,
        ..Default::default()
    };
    let loaded = if a.maps.is_empty() {
        xsk_runtime::program::Program::load_with(&spec, maps, &opts).map(drop)
    } else {
        // Maps the program declares (`.map`): the loader creates them, with BTF placing
        // their spin locks and timers.
        let btf = ebpf_dsl::elf::ObjectBtf::for_specials(&a.maps, &a.spin_locks, &a.timers);
        xsk_runtime::Loader::new()
            .data(a.data.clone())
            .map_btf(btf)
            .program_with(spec, opts)
            .load()
            .map(drop)
    };
    match loaded {
        Ok(_) => Ok(()),
        Err(xsk_runtime::Error::Verifier { log, .. }) => Err(log),
        Err(e) => panic!(
            "BPF_PROG_LOAD failed for a reason other than the verifier: {e}\n{}",
            cell.src
        ),
    }
}

/// Whether our first message refuses the access only for want of the kernel's BTF (the map
/// pointer reads this verifier's own `struct bpf_map` table does not cover).
fn asks_for_btf(e: &ebpf_dsl::verifier::VerifierError) -> bool {
    e.rule == Rule::Unsupported && e.message.contains("BTF")
}

fn every_grid_cell_agrees_with_the_kernel() {
    let full = common::env_num("GRID_FULL").is_some_and(|n| n != 0);
    let stride = if full {
        1
    } else {
        common::env_num("GRID_STRIDE").unwrap_or(10)
    };
    let only = std::env::var("GRID_AREA").ok();
    let show = common::env_num("GRID_SHOW").unwrap_or(3) as usize;
    let thin = Thin { stride };
    let mut cells: Vec<Cell> = Vec::new();
    let want = |a: &str| only.as_deref().is_none_or(|o| o == a);
    if want("ctx") {
        grid_gen::ctx::cells(&thin, &mut cells);
        grid_gen::ctx::attached_cells(&thin, &mut cells);
    }
    if want("sock") {
        grid_gen::sock::cells(&thin, &mut cells);
    }
    if want("pkt") {
        grid_gen::pkt::cells(&thin, &mut cells);
    }
    if want("stack") {
        grid_gen::stack::cells(&thin, &mut cells);
    }
    if want("alu") {
        grid_gen::alu::cells(&mut cells);
    }
    if want("jmp") {
        grid_gen::alu::jmp_cells(&mut cells);
    }
    if want("null") {
        grid_gen::alu::null_check_cells(&mut cells);
    }
    if want("hmem") {
        grid_gen::hmem::cells(&thin, &mut cells);
    }
    if want("helper") {
        grid_gen::maps::helper_cells(&mut cells);
    }
    if want("mapptr") {
        grid_gen::maps::map_ptr_cells(&thin, &mut cells);
    }
    if want("mapval") {
        grid_gen::maps::map_value_cells(&thin, &mut cells);
        grid_gen::maps::declared_map_cells(&thin, &mut cells);
    }
    if want("leak") {
        grid_gen::leaks::cells(&mut cells);
    }
    let specs = grid_gen::maps();
    let kernel_maps: Vec<Map> = specs
        .iter()
        .map(|s| Map::create(s).unwrap_or_else(|e| panic!("creating map {}: {e}", s.name)))
        .collect();
    let map_refs: Vec<&Map> = kernel_maps.iter().collect();
    let running = common::running_kernel();
    let vmlinux = std::fs::read("/sys/kernel/btf/vmlinux")
        .ok()
        .and_then(|b| ebpf_dsl::btf::Btf::decode(&b).ok());
    let start = Instant::now();
    let mut kernel_cache: HashMap<(u32, String, Option<i32>), Result<(), String>> = HashMap::new();
    // Rows: (area, row, program type).
    let mut rows: BTreeMap<(&'static str, String, &'static str), Row> = BTreeMap::new();
    let mut skipped_btf = 0;
    let mut needs_btf: BTreeMap<(&'static str, String), usize> = BTreeMap::new();
    for cell in &cells {
        if cell.btf && vmlinux.is_none() {
            skipped_btf += 1;
            continue;
        }
        let mut a = assemble_unchecked(&cell.src)
            .unwrap_or_else(|d| panic!("grid program does not assemble: {d:?}\n{}", cell.src));
        if let Some(id) = cell.call_id {
            let call = a
                .insns
                .iter_mut()
                .find(|i| i.code == 0x85)
                .expect("the helper cell's call");
            call.imm = id;
        }
        let all_specs: Vec<ebpf_dsl::MapSpec> = specs.iter().chain(&a.maps).cloned().collect();
        let mut input = VerifyInput::new(&a.insns, cell.pt)
            .with_maps(&a.relocations, &all_specs)
            .with_spin_locks(&a.spin_locks)
            .with_timers(&a.timers)
            .with_kernel(running)
            .with_unavailable_helpers(common::running_unavailable(cell.pt))
            .with_attach_type(cell.attach);
        if cell.btf {
            input.vmlinux = vmlinux.as_ref();
        }
        let ours = verify(&input);
        let kernel = kernel_cache
            .entry((
                cell.pt as u32,
                cell.src.clone(),
                cell.call_id.or(cell.attach.map(|t| -1 - t as i32)),
            ))
            .or_insert_with(|| kernel_verdict(cell, &a, &specs, &map_refs))
            .clone();
        // A helper cell compares "may call": both verdicts become that.
        let (ours_ok, kernel_ok) = match cell.compare {
            Compare::Verdict => (ours.is_ok(), kernel.is_ok()),
            Compare::HelperOffered => (
                ours.as_ref().err().is_none_or(|e| !we_refuse_helper(&e[0])),
                kernel
                    .as_ref()
                    .err()
                    .is_none_or(|l| !kernel_refuses_helper(l)),
            ),
        };
        let row = rows
            .entry((cell.area, cell.row.clone(), cell.pt.name()))
            .or_default();
        row.programs += 1;
        let head = || {
            format!(
                "--- {} {} {} {}{}\n{}",
                cell.row,
                cell.pt.name(),
                cell.at,
                if cell.btf { "(btf) " } else { "" },
                cell.call_id
                    .map(|i| format!("(helper #{i})"))
                    .unwrap_or_default(),
                cell.src
            )
        };
        match (ours_ok, kernel_ok) {
            (true, true) => row.acc_acc += 1,
            (false, false) => row.rej_rej += 1,
            (true, false) => row.false_accept.push(common::case_text(
                head(),
                None,
                kernel.as_ref().err().map(String::as_str),
            )),
            // Refused without the kernel's BTF by design, asking for it (`mapptr` past the
            // number fields of `struct bpf_map`): kept apart from the false rejects.
            (false, true)
                if !cell.btf && ours.as_ref().err().is_some_and(|e| asks_for_btf(&e[0])) =>
            {
                *needs_btf.entry((cell.area, cell.row.clone())).or_default() += 1;
            }
            (false, true) => row.false_reject.push(common::case_text(
                head(),
                ours.as_ref().err().map(|e| e[0].to_string()),
                None,
            )),
        }
    }
    let elapsed = start.elapsed();
    common::print_false_reject_causes(rows.values());
    common::print_disagreements(rows.values(), show);
    println!(
        "grids (stride {stride}, {} cells, {skipped_btf} BTF cells skipped without /sys/kernel/btf/vmlinux, {elapsed:.1?}):",
        cells.len()
    );
    for ((area, row), n) in &needs_btf {
        println!("{area}: {row}: {n} cells the kernel accepts refused without the kernel's BTF, asking for it (by design)");
    }
    let mut failures = Vec::new();
    let areas: Vec<&str> = {
        let mut v: Vec<&str> = rows.keys().map(|k| k.0).collect();
        v.dedup();
        v
    };
    for area in areas {
        println!("area {area}:");
        let (fa, fr, accepts) = common::print_rows(
            34,
            rows.iter()
                .filter(|(k, _)| k.0 == area)
                .map(|((_, name, ty), r)| (name.clone(), *ty, r)),
        );
        if fa > 0 {
            failures.push(format!("area {area}: {fa} false accepts"));
        }
        if fr * 100 > accepts {
            failures.push(format!(
                "area {area}: {fr} false rejects of {accepts} kernel-accepted cells (ceiling 1%)"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

kernel_tests! {
    privileged: [every_grid_cell_agrees_with_the_kernel],
}
