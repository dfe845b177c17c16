//! `#[derive(Btf)]`: field names, types, offsets and sizes as rustc lays the struct out, nested
//! structs and arrays shared, tuple structs, and `defmap!` carrying both types.

use ebpf_dsl::btf::{Btf, BtfType, Kind};
use ebpf_dsl_macros::{defmap, Btf};

#[derive(Btf)]
#[repr(C)]
#[allow(dead_code)]
struct Mac([u8; 6]);

#[derive(Btf)]
#[repr(C)]
#[allow(dead_code)]
struct Entry {
    r#type: u8,
    src: Mac,
    dst: Mac,
    counts: [u64; 2],
    rate: f32,
    delta: i16,
}

defmap! {
    ENTRIES: lru_hash(key = Mac, value = Entry, max_entries = 64);
}

#[test]
fn derived_struct_dump() {
    let mut btf = Btf::new();
    let id = Entry::btf_type(&mut btf);
    assert_eq!(id, btf.types.len() as u32);
    assert_eq!(
        btf.dump(),
        "[1] INT 'u8' size=1 bits_offset=0 nr_bits=8 encoding=(none)\n\
         [2] ARRAY '(anon)' type_id=1 index_type_id=3 nr_elems=6\n\
         [3] INT '__ARRAY_SIZE_TYPE__' size=4 bits_offset=0 nr_bits=32 encoding=(none)\n\
         [4] STRUCT 'Mac' size=6 vlen=1\n\
         \t'_0' type_id=2 bits_offset=0\n\
         [5] INT 'u64' size=8 bits_offset=0 nr_bits=64 encoding=(none)\n\
         [6] ARRAY '(anon)' type_id=5 index_type_id=3 nr_elems=2\n\
         [7] FLOAT 'f32' size=4\n\
         [8] INT 'i16' size=2 bits_offset=0 nr_bits=16 encoding=SIGNED\n\
         [9] STRUCT 'Entry' size=40 vlen=6\n\
         \t'type' type_id=1 bits_offset=0\n\
         \t'src' type_id=4 bits_offset=8\n\
         \t'dst' type_id=4 bits_offset=56\n\
         \t'counts' type_id=6 bits_offset=128\n\
         \t'rate' type_id=7 bits_offset=256\n\
         \t'delta' type_id=8 bits_offset=288\n"
    );
    assert_eq!(btf.size_of(id), Some(std::mem::size_of::<Entry>() as u32));
    // The same struct again: nothing new.
    assert_eq!(Entry::btf_type(&mut btf), id);
    assert_eq!(btf.types.len(), 9);
    // Through the encoding and back.
    assert_eq!(Btf::decode(&btf.encode()).unwrap(), btf);
}

#[test]
fn defmap_carries_both_types() {
    let (btf, k, v) = ENTRIES.btf.unwrap().build().unwrap();
    assert_eq!(btf.get(k).unwrap().name, "Mac");
    let Kind::Struct { size, .. } = btf.get(v).unwrap().kind else {
        panic!("not a struct")
    };
    assert_eq!((size, ENTRIES.key_size, ENTRIES.value_size), (40, 6, 40));
}
