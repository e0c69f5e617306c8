import { TinyOpsError } from '../errors';

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  /** sh_link: for a symbol table, the index of its string table. */
  link: number;
  entsize: number;
}

export interface ElfSegment {
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number;
}

export interface ElfFile {
  machine: number;
  entry: number;
  sections: ElfSection[];
  segments: ElfSegment[];
}

export const SHT_NOBITS = 8;
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const PT_LOAD = 1;
export const EM_ARM = 40;

function bad(source: string, message: string, offset: number): never {
  throw new TinyOpsError(
    'ELF_MALFORMED',
    `${source}: not a valid 32-bit little-endian ELF file: ${message}`,
    {
      where: `${source} @ byte ${offset}`,
      hint: 'Give the .elf the linker wrote (not the .bin or .hex), built for a 32-bit target such as arm-none-eabi.',
    },
  );
}

/** Reads the section and program headers of a 32-bit little-endian ELF (what arm-none-eabi-gcc
 * writes), checking every offset against the file. */
export function parseElf32(bytes: Uint8Array, source = 'firmware.elf'): ElfFile {
  if (bytes.length < 52) bad(source, `${bytes.length} bytes is too short for an ELF header`, 0);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46)
    bad(source, 'no ELF magic', 0);
  if (bytes[4] !== 1) bad(source, 'not a 32-bit ELF (EI_CLASS)', 4);
  if (bytes[5] !== 1) bad(source, 'not little-endian (EI_DATA)', 5);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = v.getUint16(18, true);
  const entry = v.getUint32(24, true);
  const phoff = v.getUint32(28, true);
  const shoff = v.getUint32(32, true);
  const phentsize = v.getUint16(42, true);
  const phnum = v.getUint16(44, true);
  const shentsize = v.getUint16(46, true);
  const shnum = v.getUint16(48, true);
  const shstrndx = v.getUint16(50, true);
  const table = (off: number, entsize: number, num: number, min: number, what: string) => {
    if (num === 0) return;
    if (entsize < min) bad(source, `${what} entry size ${entsize} is too small`, off);
    if (off + entsize * num > bytes.length)
      bad(source, `${what} table runs past the end of the file`, off);
  };
  table(phoff, phentsize, phnum, 32, 'program header');
  table(shoff, shentsize, shnum, 40, 'section header');

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    segments.push({
      type: v.getUint32(o, true),
      offset: v.getUint32(o + 4, true),
      vaddr: v.getUint32(o + 8, true),
      paddr: v.getUint32(o + 12, true),
      filesz: v.getUint32(o + 16, true),
      memsz: v.getUint32(o + 20, true),
      flags: v.getUint32(o + 24, true),
    });
  }
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    raw.push({
      nameOffset: v.getUint32(o, true),
      type: v.getUint32(o + 4, true),
      flags: v.getUint32(o + 8, true),
      addr: v.getUint32(o + 12, true),
      offset: v.getUint32(o + 16, true),
      size: v.getUint32(o + 20, true),
      link: v.getUint32(o + 24, true),
      entsize: v.getUint32(o + 36, true),
    });
  }
  const strtab = raw[shstrndx];
  if (shnum > 0 && (!strtab || strtab.offset + strtab.size > bytes.length))
    bad(source, 'section name table is missing or out of range', 50);
  const names = strtab
    ? bytes.subarray(strtab.offset, strtab.offset + strtab.size)
    : new Uint8Array(0);
  const sections = raw.map((s, i): ElfSection => {
    if (s.type !== SHT_NOBITS && s.size > 0 && s.offset + s.size > bytes.length)
      bad(source, `section ${i} runs past the end of the file`, shoff + i * shentsize);
    if (s.nameOffset > names.length)
      bad(source, `section ${i}'s name is out of range`, shoff + i * shentsize);
    const end = names.indexOf(0, s.nameOffset);
    const name = new TextDecoder().decode(
      names.subarray(s.nameOffset, end < 0 ? names.length : end),
    );
    return {
      name,
      type: s.type,
      flags: s.flags,
      addr: s.addr,
      offset: s.offset,
      size: s.size,
      link: s.link,
      entsize: s.entsize,
    };
  });
  return { machine, entry, sections, segments };
}

export interface SectionSizes {
  /** Berkeley `size` figures: code and read-only data, initialised data, zero-initialised data. */
  text: number;
  data: number;
  bss: number;
  /** What the image takes in flash (text + the load image of data) and in RAM (data + bss, which
   * includes the stack and heap when the linker script reserves them as sections). */
  flash: number;
  ram: number;
  sections: Array<{ name: string; kind: 'text' | 'data' | 'bss'; addr: number; size: number }>;
}

/** Classifies allocated sections the way GNU size's Berkeley format does, so the figures equal
 * `arm-none-eabi-size`'s: read-only or executable -> text, writable with contents -> data,
 * writable without contents -> bss. */
export function sectionSizes(elf: ElfFile): SectionSizes {
  const out: SectionSizes = { text: 0, data: 0, bss: 0, flash: 0, ram: 0, sections: [] };
  for (const s of elf.sections) {
    if (!(s.flags & SHF_ALLOC) || s.size === 0) continue;
    const kind =
      !(s.flags & SHF_WRITE) || s.flags & SHF_EXECINSTR
        ? 'text'
        : s.type === SHT_NOBITS
          ? 'bss'
          : 'data';
    out[kind] += s.size;
    out.sections.push({ name: s.name, kind, addr: s.addr, size: s.size });
  }
  out.flash = out.text + out.data;
  out.ram = out.data + out.bss;
  return out;
}
