#!/usr/bin/env python3
"""Writes each function of an eBPF ELF object's program section as raw instruction slots,
so that the C programs are loaded by exactly the same code as ours (bench/c/progrun.c raw).

usage: extract_bpf.py OBJ.o SECTION OUTDIR

For every FUNC symbol in SECTION it writes OUTDIR/NAME.insns. Every ld_imm64 that the
object's relocation section for SECTION names (the map references: in the bench programs all
of them name the one XSKMAP) gets src_reg = BPF_PSEUDO_MAP_FD, which progrun patches with a
fresh XSKMAP's fd, as it does for ours. Minimal ELF64 little-endian reader, standard library.
"""

import os
import struct
import sys

SHT_SYMTAB, SHT_REL = 2, 9
STT_FUNC = 2
BPF_PSEUDO_MAP_FD = 1


def sections(data):
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    out = []
    for i in range(shnum):
        f = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
        out.append({"name_off": f[0], "type": f[1], "offset": f[4], "size": f[5],
                    "link": f[6], "info": f[7], "entsize": f[9]})
    strtab = out[shstrndx]
    for s in out:
        s["name"] = cstr(data, strtab["offset"] + s["name_off"])
    return out


def cstr(data, off):
    return data[off:data.index(b"\0", off)].decode()


def main(obj, section, outdir):
    data = open(obj, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit(f"{obj}: not a 64-bit little-endian ELF file")
    secs = sections(data)
    idx = next((i for i, s in enumerate(secs) if s["name"] == section), None)
    if idx is None:
        raise SystemExit(f"{obj}: no section {section}")
    text = bytearray(data[secs[idx]["offset"]:secs[idx]["offset"] + secs[idx]["size"]])
    # Map references: relocations against the program section.
    for s in secs:
        if s["type"] == SHT_REL and s["info"] == idx:
            for k in range(s["size"] // 16):
                r_off, _ = struct.unpack_from("<QQ", data, s["offset"] + 16 * k)
                if text[r_off] == 0x18:  # BPF_LD | BPF_DW | BPF_IMM
                    text[r_off + 1] = (text[r_off + 1] & 0x0F) | (BPF_PSEUDO_MAP_FD << 4)
    symtab = next(s for s in secs if s["type"] == SHT_SYMTAB)
    strtab = secs[symtab["link"]]
    os.makedirs(outdir, exist_ok=True)
    for k in range(symtab["size"] // 24):
        name_off, info, _, shndx, value, size = struct.unpack_from(
            "<IBBHQQ", data, symtab["offset"] + 24 * k)
        if shndx == idx and info & 0xF == STT_FUNC and size:
            name = cstr(data, strtab["offset"] + name_off)
            with open(os.path.join(outdir, name + ".insns"), "wb") as f:
                f.write(text[value:value + size])
            print(f"{outdir}/{name}.insns: {size // 8} slots")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
