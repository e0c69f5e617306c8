import type { FaultReport } from './replies';
import { symbolize, type FunctionSymbol } from '../elf/symbols';

/** Armv7-M Configurable Fault Status Register bits (MemManage, BusFault, UsageFault), and the
 * HardFault Status Register's, in words a firmware engineer searches for. */
const CFSR_BITS: Array<[number, string]> = [
  [0, 'IACCVIOL: instruction fetch from a no-execute region'],
  [1, 'DACCVIOL: data access violation (MPU)'],
  [3, 'MUNSTKERR: MemManage fault on exception return'],
  [4, 'MSTKERR: MemManage fault on exception entry (stack overflow?)'],
  [5, 'MLSPERR: MemManage fault during FP lazy state preservation'],
  [8, 'IBUSERR: bus error on instruction fetch'],
  [9, 'PRECISERR: precise data bus error'],
  [10, 'IMPRECISERR: imprecise data bus error'],
  [11, 'UNSTKERR: bus fault on exception return'],
  [12, 'STKERR: bus fault on exception entry (stack overflow?)'],
  [13, 'LSPERR: bus fault during FP lazy state preservation'],
  [16, 'UNDEFINSTR: undefined instruction'],
  [17, 'INVSTATE: invalid EPSR state (a jump to an even address, or to ARM code)'],
  [18, 'INVPC: invalid EXC_RETURN'],
  [19, 'NOCP: coprocessor (FPU) not enabled'],
  [24, 'UNALIGNED: unaligned access'],
  [25, 'DIVBYZERO: division by zero'],
];
const MMARVALID = 7;
const BFARVALID = 15;
const HFSR_FORCED = 30;
const HFSR_VECTTBL = 1;

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** One sentence on a HardFault report: where (the function, when the ELF has symbols) and why. */
export function describeFault(f: FaultReport, symbols: readonly FunctionSymbol[] = []): string {
  const at = symbolize(symbols, f.pc);
  const caller = symbolize(symbols, f.lr);
  const causes = CFSR_BITS.filter(([bit]) => (f.cfsr >>> bit) & 1).map(([, text]) => text);
  if ((f.hfsr >>> HFSR_VECTTBL) & 1) causes.push('VECTTBL: bus fault reading the vector table');
  const address =
    (f.cfsr >>> BFARVALID) & 1
      ? ` at address ${hex(f.bfar)}`
      : (f.cfsr >>> MMARVALID) & 1
        ? ' (MMFAR valid)'
        : '';
  const forced = (f.hfsr >>> HFSR_FORCED) & 1 ? ' (escalated to HardFault)' : '';
  return (
    `HardFault at pc=${hex(f.pc)}${at ? ` in ${at}` : ''}` +
    `${caller ? ` called from ${caller}` : ` lr=${hex(f.lr)}`}: ` +
    `${causes.length ? causes.join('; ') : 'no fault status bits set'}${address}${forced} ` +
    `[cfsr=${hex(f.cfsr)} hfsr=${hex(f.hfsr)}]`
  );
}
