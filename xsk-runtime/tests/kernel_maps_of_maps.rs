//! Maps of maps against the real kernel: an outer `array_of_maps` / `hash_of_maps` created
//! from a spec with its inner shape ([`MapSpec::inner`], as `.map ... inner=` and `defmap!`'s
//! `inner = ..` give it), inner maps put in from user space through the typed handles
//! ([`ArrayOfMaps`], [`HashOfMaps`]), and an XDP program that looks up the outer map, then the
//! inner map it got, and counts there: the test reads the counts in the inner maps.

use xsk_testkit::kernel_tests;

mod common;

use ebpf_dsl::spec::InnerMap;
use ebpf_dsl::MapType;
use ebpf_dsl_macros::{defmap, defprogram};
use xsk_runtime::maps::{Array, ArrayOfMaps, HashOfMaps, Map};
use xsk_runtime::test_run::XdpAction;
use xsk_runtime::{Error, Loader};

/// Looks up key `KEY` of map `outer`, then key 0 of the inner map it holds, and adds 1 there:
/// XDP_PASS when both exist, XDP_DROP otherwise.
fn two_level_src(key: u32) -> String {
    format!(
        "
        .map outer array_of_maps key=4 value=4 max_entries=4 inner=array:4:8:1
        r1 = {key}
        *(u32 *)(r10 - 4) = r1
        r2 = r10
        r2 += -4
        r1 = outer ll
        call bpf_map_lookup_elem
        if r0 == 0 goto none
        r1 = 0
        *(u32 *)(r10 - 8) = r1
        r2 = r10
        r2 += -8
        r1 = r0
        call bpf_map_lookup_elem
        if r0 == 0 goto none
        r1 = 1
        lock *(u64 *)(r0 + 0) += r1
        r0 = XDP_PASS
        exit
    none:
        r0 = XDP_DROP
        exit"
    )
}

fn inner_array(name: &'static str) -> Array<u64> {
    let shape = InnerMap {
        map_type: MapType::Array,
        key_size: 4,
        value_size: 8,
        max_entries: 1,
        flags: 0,
    };
    Map::create(&shape.spec(name)).unwrap().try_into().unwrap()
}

fn array_of_maps_from_text() {
    let a = ebpf_dsl::asm::assemble(&two_level_src(2)).unwrap();
    let spec = a.into_program_spec("two_level", ebpf_dsl::ProgramType::Xdp, "GPL", vec![]);
    assert!(spec.maps[0].inner.is_some());
    let loaded = Loader::new().program(spec).load().unwrap();
    let outer: ArrayOfMaps = loaded.map("outer").unwrap();
    let p = loaded.program("two_level").unwrap();
    // Slot 2 empty: the first lookup gives NULL.
    assert_eq!(
        p.test_run(&[0; 64], 1).unwrap().action(),
        Some(XdpAction::Drop)
    );
    let (a, b) = (inner_array("inner_a"), inner_array("inner_b"));
    outer.set(2, a.map()).unwrap();
    assert_eq!(outer.get_id(2).unwrap(), Some(a.map().id()));
    assert_eq!(
        p.test_run(&[0; 64], 3).unwrap().action(),
        Some(XdpAction::Pass)
    );
    assert_eq!(a.get(0).unwrap(), 3);
    // Swap in another map: the program's next runs count there.
    outer.set(2, b.map()).unwrap();
    p.test_run(&[0; 64], 2).unwrap();
    assert_eq!((a.get(0).unwrap(), b.get(0).unwrap()), (3, 2));
    assert_eq!(outer.get(2).unwrap().unwrap().id(), b.map().id());
    assert!(outer.remove(2).unwrap());
    assert_eq!(
        p.test_run(&[0; 64], 1).unwrap().action(),
        Some(XdpAction::Drop)
    );
    // A map of another shape is refused by the kernel, with the map named.
    let wrong: Array<u32> = Array::create("wrong_shape", 1).unwrap();
    let e = outer.set(0, wrong.map()).unwrap_err();
    assert!(
        matches!(&e, Error::MapOp { errno, .. } if *errno == libc::EINVAL),
        "{e}"
    );
}

fn map_of_maps_without_inner_is_a_clear_error() {
    let spec = ebpf_dsl::MapSpec {
        name: "no_inner".into(),
        map_type: MapType::HashOfMaps,
        key_size: 4,
        value_size: 4,
        max_entries: 4,
        flags: 0,
        btf: None,
        inner: None,
    };
    let e = Map::create(&spec).unwrap_err().to_string();
    assert!(e.contains("needs the shape of the maps it holds"), "{e}");
}

defmap! {
    /// Per-tenant counters: a map of 2-entry arrays by tenant id.
    TENANTS: hash_of_maps(key = u32, max_entries = 8, inner = array(value = u64, max_entries = 2));
}

defprogram! {
    /// Counts in slot 1 of the inner map of tenant 7.
    TENANT7: xdp {
        r1 = 7;
        *(u32 *)(r10 - 4) = r1;
        r2 = r10;
        r2 += -4;
        r1 = TENANTS ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto none;
        r1 = 1;
        *(u32 *)(r10 - 8) = r1;
        r2 = r10;
        r2 += -8;
        r1 = r0;
        call bpf_map_lookup_elem;
        if r0 == 0 goto none;
        r1 = 1;
        lock *(u64 *)(r0 + 0) += r1;
        r0 = XDP_PASS;
        exit;
      none:
        r0 = XDP_DROP;
        exit;
    }
}

fn hash_of_maps_from_defmap() {
    let loaded = Loader::new().program(TENANT7).load().unwrap();
    let tenants: HashOfMaps<u32> = loaded.map(&TENANTS).unwrap();
    let inner = TENANTS.inner.unwrap();
    let seven: Array<u64> = Map::create(&inner.spec("tenant7"))
        .unwrap()
        .try_into()
        .unwrap();
    let p = loaded.program(&TENANT7.name).unwrap();
    assert_eq!(
        p.test_run(&[0; 64], 1).unwrap().action(),
        Some(XdpAction::Drop)
    );
    tenants.insert(&7, seven.map()).unwrap();
    assert_eq!(
        p.test_run(&[0; 64], 5).unwrap().action(),
        Some(XdpAction::Pass)
    );
    assert_eq!((seven.get(0).unwrap(), seven.get(1).unwrap()), (0, 5));
    assert_eq!(tenants.get_id(&7).unwrap(), Some(seven.map().id()));
    assert!(tenants.remove(&7).unwrap());
    assert_eq!(tenants.get_id(&7).unwrap(), None);
    // The typed constructors make the same shapes.
    let made = ArrayOfMaps::create("aom", 2, inner).unwrap();
    made.set(1, seven.map()).unwrap();
    let made_h: HashOfMaps<u64> = HashOfMaps::create("hom", 2, inner).unwrap();
    made_h.insert(&u64::MAX, seven.map()).unwrap();
    assert_eq!(made_h.get_id(&u64::MAX).unwrap(), Some(seven.map().id()));
}

/// `tests/elf/mapinmap.c` of ebpf-dsl compiled by clang-19 (`__array(values, struct inner)`):
/// loaded through our reader and loader, run with an inner map put in; then our writer's
/// object, loaded by bpftool (libbpf creates the inner template from our BTF). Skipped
/// (printed) without clang-19 or bpftool unless CI=true.
fn clang_object_with_a_map_of_maps() {
    let have = |tool: &str| {
        std::process::Command::new(tool)
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
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let src =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ebpf-dsl/tests/elf/mapinmap.c");
    let obj = dir.join("kernel-mapinmap.o");
    let st = std::process::Command::new("clang-19")
        .args(["-O2", "-g", "-target", "bpf", "-c"])
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .status()
        .unwrap();
    assert!(st.success());
    let bytes = std::fs::read(&obj).unwrap();
    let loaded = Loader::new().object_bytes(&bytes).unwrap().load().unwrap();
    let outer: ArrayOfMaps = loaded.map("outer").unwrap();
    let p = loaded.program("twice").unwrap();
    assert_eq!(
        p.test_run(&[0; 64], 1).unwrap().action(),
        Some(XdpAction::Drop)
    );
    let inner = inner_array("c_inner");
    outer.set(0, inner.map()).unwrap();
    assert_eq!(
        p.test_run(&[0; 64], 4).unwrap().action(),
        Some(XdpAction::Pass)
    );
    assert_eq!(inner.get(0).unwrap(), 4);
    let parsed = ebpf_dsl::elf::read_object(&bytes).unwrap();
    let ours = dir.join("kernel-mapinmap-ours.o");
    std::fs::write(&ours, ebpf_dsl::elf::write_object(&parsed).unwrap()).unwrap();
    common::bpftool_loads(&ours, "mim");
}

kernel_tests! {
    privileged: [
        array_of_maps_from_text,
        map_of_maps_without_inner_is_a_clear_error,
        hash_of_maps_from_defmap,
        clang_object_with_a_map_of_maps,
    ],
}
