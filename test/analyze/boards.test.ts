import { TinyOpsError } from '../../shared/errors';
import { BOARDS, editDistance, findBoard } from '../../shared/analyze';

describe('board database', () => {
  it('holds the listed boards with sane figures', () => {
    const ids = BOARDS.map((b) => b.id);
    for (const id of [
      'nano33ble',
      'nicla-vision',
      'esp32',
      'esp32s3',
      'stm32f746-disco',
      'stm32h743',
      'nucleo-l4r5zi',
      'pico',
      'pico2',
      'sparkfun-edge',
      'nrf5340dk',
      'himax-we1',
      'qemu-mps2-an386',
    ])
      expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const b of BOARDS) {
      expect(b.flashBytes).toBeGreaterThan(0);
      expect(b.ramBytes).toBeGreaterThan(0);
      expect(b.clockMhz).toBeGreaterThan(0);
    }
    expect(findBoard('nano33ble')).toMatchObject({
      mcu: 'nRF52840',
      core: 'cortex-m4',
      ramBytes: 256 * 1024,
      flashBytes: 1024 * 1024,
    });
    expect(findBoard('pico')).toMatchObject({ core: 'cortex-m0+', fpu: 'none', dsp: false });
  });

  it('resolves aliases, case-insensitively', () => {
    expect(findBoard('nrf52840').id).toBe('nano33ble');
    expect(findBoard('STM32F746').id).toBe('stm32f746-disco');
    expect(findBoard('rp2040').id).toBe('pico');
  });

  it('an unknown board names the closest id and lists them all', () => {
    let err: unknown;
    try {
      findBoard('nano33bel');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TinyOpsError);
    const e = err as TinyOpsError;
    expect(e.code).toBe('UNKNOWN_BOARD');
    expect(e.message).toContain('did you mean "nano33ble"');
    for (const b of BOARDS) expect(e.hint).toContain(b.id);
    // A typo of an alias suggests the board it stands for.
    expect(() => findBoard('rp2004')).toThrow(/did you mean "pico"/);
    // Nothing close: no suggestion, still the list.
    expect(() => findBoard('arduino-mega-2560')).toThrow(/^Unknown board "arduino-mega-2560"\.$/);
  });

  it('edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('esp32', 'esp32')).toBe(0);
  });
});
