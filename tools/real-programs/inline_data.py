"""Global constants made immediates, as a project's own loader does before loading.

cilium's loader (pkg/bpf's collection code) does not create its `.rodata.config` map: every
`ld_imm64` of a variable of that section (the `CONFIG(name)` macro's one instruction) becomes an
`ld_imm64` of the variable's value, read from the section with the variable's size and zero-
extended to 64 bits. A generic loader (libbpf, `ebpf-dsl load`) would pass the map value's
address instead, which is not the program the project runs. `inline(obj, section)` rewrites the
compiled object in place the same way: each such instruction's two immediates get the value and
its relocation is removed from the relocation section (the section's size shrinks), so any
loader then loads the program the project loads. The map itself stays declared (unused).

cloudflare's rakelimit declares a parameter as an `ld_imm64` of an undefined symbol (`asm("%0 =
LIMIT ll")`) that its loader (cilium/ebpf's instruction `Constant`) sets to the configured value;
`constant(obj, symbol, value)` does the same: each `ld_imm64` relocated against `symbol` gets
`value`, its relocation removed.
"""

import struct

SHT_SYMTAB, SHT_REL = 2, 9
SHF_EXECINSTR = 0x4
LD_IMM64 = 0x18
R_BPF_64_64 = 1


def _sections(b):
    shoff, = struct.unpack_from("<Q", b, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x3A)
    out = []
    for i in range(shnum):
        at = shoff + i * shentsize
        name, typ, flags, _, off, size, link, info, _, entsize = struct.unpack_from(
            "<IIQQQQIIQQ", b, at)
        out.append({"at": at, "name": name, "type": typ, "flags": flags, "off": off,
                    "size": size, "link": link, "info": info, "entsize": entsize})
    strs = out[shstrndx]
    for s in out:
        end = b.index(b"\0", strs["off"] + s["name"])
        s["name"] = b[strs["off"] + s["name"]:end].decode()
    return out


def inline(path, section):
    """Rewrite object `path` in place: every R_BPF_64_64 `ld_imm64` into `section` becomes an
    `ld_imm64` of the variable's value. Returns how many instructions were rewritten; raises
    ValueError (naming the instruction) where the project's loader would refuse the object."""
    b = bytearray(open(path, "rb").read())
    if b[:4] != b"\x7fELF" or b[4] != 2 or b[5] != 1:
        raise ValueError("not a little-endian ELF64 object")
    secs = _sections(b)
    target = next((i for i, s in enumerate(secs) if s["name"] == section), None)
    if target is None:
        return 0
    data = secs[target]
    symtab = next(s for s in secs if s["type"] == SHT_SYMTAB)
    syms = []
    for at in range(symtab["off"], symtab["off"] + symtab["size"], 24):
        _, info, _, shndx, value, size = struct.unpack_from("<IBBHQQ", b, at)
        syms.append((info & 0xF, shndx, value, size))
    # The section's variables by offset: their sizes.
    sizes = {v: sz for (kind, shndx, v, sz) in syms if shndx == target and kind == 1}
    done = 0
    for rel in secs:
        if rel["type"] != SHT_REL or not secs[rel["info"]]["flags"] & SHF_EXECINSTR:
            continue
        text = secs[rel["info"]]
        keep = []
        for at in range(rel["off"], rel["off"] + rel["size"], 16):
            r_off, r_info = struct.unpack_from("<QQ", b, at)
            sym, typ = r_info >> 32, r_info & 0xFFFFFFFF
            if typ != R_BPF_64_64 or syms[sym][1] != target:
                keep.append(bytes(b[at:at + 16]))
                continue
            insn = text["off"] + r_off
            where = f"{text['name']}+{r_off:#x}"
            if b[insn] != LD_IMM64:
                raise ValueError(f"{where}: a relocation into {section} on a non-ld_imm64")
            imm, = struct.unpack_from("<i", b, insn + 4)
            off = syms[sym][2] + imm
            size = sizes.get(off)
            if size not in (1, 2, 4, 8) or off + size > data["size"]:
                raise ValueError(f"{where}: no variable of 1, 2, 4 or 8 bytes at offset "
                                 f"{off} of {section}")
            value = int.from_bytes(b[data["off"] + off:data["off"] + off + size], "little")
            b[insn + 1] &= 0x0F  # src_reg 0: a plain 64-bit immediate
            struct.pack_into("<I", b, insn + 4, value & 0xFFFFFFFF)
            struct.pack_into("<I", b, insn + 12, value >> 32)
            done += 1
        new = b"".join(keep)
        b[rel["off"]:rel["off"] + len(new)] = new
        struct.pack_into("<Q", b, rel["at"] + 32, len(new))
    open(path, "wb").write(bytes(b))
    return done


def _symbols(b, secs):
    """(name, kind, shndx, value, size) of every symbol of the object's symbol table."""
    symtab = next(s for s in secs if s["type"] == SHT_SYMTAB)
    strtab = secs[symtab["link"]]
    out = []
    for at in range(symtab["off"], symtab["off"] + symtab["size"], 24):
        name, info, _, shndx, value, size = struct.unpack_from("<IBBHQQ", b, at)
        end = b.index(b"\0", strtab["off"] + name)
        out.append((b[strtab["off"] + name:end].decode(), info & 0xF, shndx, value, size))
    return out


def constant(path, symbol, value):
    """Rewrite object `path` in place: every R_BPF_64_64 `ld_imm64` relocated against the
    undefined symbol `symbol` becomes an `ld_imm64` of `value`, as the project's loader sets
    it. Returns how many instructions were rewritten; raises ValueError (naming the
    instruction) on a relocation of that symbol that is not on an `ld_imm64`."""
    b = bytearray(open(path, "rb").read())
    if b[:4] != b"\x7fELF" or b[4] != 2 or b[5] != 1:
        raise ValueError("not a little-endian ELF64 object")
    secs = _sections(b)
    syms = _symbols(b, secs)
    done = 0
    for rel in secs:
        if rel["type"] != SHT_REL or not secs[rel["info"]]["flags"] & SHF_EXECINSTR:
            continue
        text = secs[rel["info"]]
        keep = []
        for at in range(rel["off"], rel["off"] + rel["size"], 16):
            r_off, r_info = struct.unpack_from("<QQ", b, at)
            sym, typ = r_info >> 32, r_info & 0xFFFFFFFF
            if typ != R_BPF_64_64 or syms[sym][0] != symbol or syms[sym][2] != 0:
                keep.append(bytes(b[at:at + 16]))
                continue
            insn = text["off"] + r_off
            if b[insn] != LD_IMM64:
                raise ValueError(f"{text['name']}+{r_off:#x}: a relocation of {symbol} on a "
                                 "non-ld_imm64")
            b[insn + 1] &= 0x0F
            struct.pack_into("<I", b, insn + 4, value & 0xFFFFFFFF)
            struct.pack_into("<I", b, insn + 12, (value >> 32) & 0xFFFFFFFF)
            done += 1
        new = b"".join(keep)
        b[rel["off"]:rel["off"] + len(new)] = new
        struct.pack_into("<Q", b, rel["at"] + 32, len(new))
    open(path, "wb").write(bytes(b))
    return done
