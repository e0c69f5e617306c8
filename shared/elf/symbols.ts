import type { ElfFile } from './elf';

/** A function symbol from the ELF's symbol table (Thumb bit cleared). */
export interface FunctionSymbol {
  name: string;
  addr: number;
  size: number;
}

const SHT_SYMTAB = 2;
const STT_FUNC = 2;
const SYM_ENTRY = 16;

/** The function symbols of a parsed ELF, sorted by address; empty for a stripped file. Entries
 * that point outside the file are skipped rather than trusted. */
export function functionSymbols(bytes: Uint8Array, elf: ElfFile): FunctionSymbol[] {
  const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB);
  const strtab = symtab ? elf.sections[symtab.link] : undefined;
  if (!symtab || !strtab || symtab.offset + symtab.size > bytes.length) return [];
  if (strtab.offset + strtab.size > bytes.length) return [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names = bytes.subarray(strtab.offset, strtab.offset + strtab.size);
  const entsize = symtab.entsize || SYM_ENTRY;
  const out: FunctionSymbol[] = [];
  for (let o = symtab.offset; o + SYM_ENTRY <= symtab.offset + symtab.size; o += entsize) {
    const info = bytes[o + 12];
    if ((info & 0xf) !== STT_FUNC) continue;
    const nameAt = v.getUint32(o, true);
    if (nameAt >= names.length) continue;
    const end = names.indexOf(0, nameAt);
    const name = new TextDecoder().decode(names.subarray(nameAt, end < 0 ? names.length : end));
    out.push({ name, addr: v.getUint32(o + 4, true) & ~1, size: v.getUint32(o + 8, true) });
  }
  return out.sort((a, b) => a.addr - b.addr);
}

/** The function holding `addr`, as `name+0xOFF`, or null. */
export function symbolize(symbols: readonly FunctionSymbol[], addr: number): string | null {
  const a = addr & ~1;
  for (const s of symbols) {
    if (a >= s.addr && a < s.addr + Math.max(s.size, 1))
      return a === s.addr ? s.name : `${s.name}+0x${(a - s.addr).toString(16)}`;
  }
  return null;
}
