/**
 * NumPy .npz archives (zip, stored or deflated) of named arrays. Array names are the member names
 * without the `.npy` suffix, as numpy.savez writes them.
 */
import { unzipSync, zipSync } from 'fflate';
import { TinyOpsError } from '../errors';
import { writeFileAtomic } from '../fsutil/atomic';
import { DType, NdArray } from './ndarray';
import { encodeNpy, parseNpy, readFileChecked } from './npy';

/** Keys tried, in order, for the samples when no explicit key is given. */
export const INPUT_KEYS = ['x', 'inputs', 'input', 'data', 'samples', 'x_test'];
/** Keys tried, in order, for the labels when no explicit key is given. */
export const LABEL_KEYS = ['y', 'labels', 'label', 'targets', 'y_test'];

/** Refuse members whose declared size is beyond this, before inflating anything. */
const MAX_MEMBER_BYTES = 2 ** 31 - 1;
/** Deflate cannot expand data more than ~1032:1, so a larger declared ratio is a corrupt header. */
const MAX_DEFLATE_RATIO = 1100;

export function isZip(bytes: Uint8Array): boolean {
  // A local file header, or the end-of-directory record of an empty archive.
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))
  );
}

/**
 * Parses .npz bytes into named arrays. `only` limits which arrays are decoded (others are not
 * inflated at all).
 */
export function parseNpz(
  bytes: Uint8Array,
  source = '<npz>',
  only?: readonly string[],
): Map<string, NdArray> {
  if (!isZip(bytes)) {
    throw new TinyOpsError('NPZ_MALFORMED', `${source}: not a .npz (zip) archive`, {
      where: source,
      hint: 'Create it with numpy.savez or numpy.savez_compressed.',
    });
  }
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (f) => {
        const declared = `${source}: member '${f.name}' declares ${f.originalSize} bytes`;
        if (f.originalSize > MAX_MEMBER_BYTES) {
          throw new TinyOpsError('NPZ_MALFORMED', `${declared}, beyond the 2 GiB limit`, {
            where: `${source}:${f.name}`,
          });
        }
        if (
          (f.compression === 0 && f.originalSize !== f.size) ||
          f.originalSize > f.size * MAX_DEFLATE_RATIO + 1024
        ) {
          throw new TinyOpsError(
            'NPZ_MALFORMED',
            `${declared} from ${f.size} stored bytes (corrupt zip header)`,
            {
              where: `${source}:${f.name}`,
              hint: 'Re-create the archive with numpy.savez.',
            },
          );
        }
        return only === undefined || only.includes(f.name.replace(/\.npy$/, ''));
      },
    });
  } catch (err) {
    if (err instanceof TinyOpsError) throw err;
    throw new TinyOpsError(
      'NPZ_MALFORMED',
      `${source}: damaged .npz archive (${(err as Error).message})`,
      {
        where: source,
        hint: 'Re-create it with numpy.savez; zip64 archives (members over 4 GiB) are not supported.',
      },
    );
  }
  const out = new Map<string, NdArray>();
  for (const [name, data] of Object.entries(members)) {
    if (name.endsWith('/')) continue;
    out.set(name.replace(/\.npy$/, ''), parseNpy(data, `${source}:${name}`));
  }
  return out;
}

/** Lists the array names in an archive without decoding them. */
export function npzKeys(bytes: Uint8Array, source = '<npz>'): string[] {
  const names: string[] = [];
  parseNpzNames(bytes, source, names);
  return names;
}

function parseNpzNames(bytes: Uint8Array, source: string, names: string[]): void {
  if (!isZip(bytes))
    throw new TinyOpsError('NPZ_MALFORMED', `${source}: not a .npz (zip) archive`, {
      where: source,
    });
  try {
    unzipSync(bytes, {
      filter: (f) => {
        if (!f.name.endsWith('/')) names.push(f.name.replace(/\.npy$/, ''));
        return false;
      },
    });
  } catch (err) {
    throw new TinyOpsError(
      'NPZ_MALFORMED',
      `${source}: damaged .npz archive (${(err as Error).message})`,
      { where: source },
    );
  }
}

export function readNpzFile(file: string, only?: readonly string[]): Map<string, NdArray> {
  return parseNpz(readFileChecked(file), file, only);
}

export function encodeNpz(
  arrays: Record<string, { dtype: DType; shape: readonly number[]; data: ArrayLike<number> }>,
  options: { compress?: boolean } = {},
): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, arr] of Object.entries(arrays)) files[`${name}.npy`] = encodeNpy(arr);
  return zipSync(files, { level: options.compress ? 6 : 0 });
}

export function writeNpzFile(
  file: string,
  arrays: Record<string, { dtype: DType; shape: readonly number[]; data: ArrayLike<number> }>,
  options: { compress?: boolean } = {},
): void {
  writeFileAtomic(file, encodeNpz(arrays, options));
}
