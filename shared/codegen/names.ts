import * as path from 'node:path';
import { TinyOpsError } from '../errors';

const C_KEYWORDS = new Set(
  'auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while bool true false class new delete namespace template this operator private public protected virtual'.split(
    ' ',
  ),
);

/** xxd -i's naming: every character that is not a letter or digit becomes '_', and a name that
 * starts with a digit gets '__' in front (`1-model.tflite` -> `__1_model_tflite`). */
export function xxdName(fileName: string): string {
  const base = fileName.replace(/[^A-Za-z0-9]/g, '_');
  return /^[0-9]/.test(base) ? `__${base}` : base;
}

/** A C identifier from a file name: the name without its extension, lower-cased, non-identifier
 * characters as '_', a leading digit or a keyword prefixed with 'model_'. */
export function identifierFromFile(filePath: string): string {
  const stem = path.basename(filePath).replace(/\.[^.]*$/, '');
  let id = stem
    .replace(/[^A-Za-z0-9_]/g, '_')
    .replace(/_+/g, '_')
    .toLowerCase();
  if (id === '' || /^[0-9]/.test(id) || C_KEYWORDS.has(id)) id = `model_${id}`;
  return id;
}

/** Checks a name the user gave: it must already be a valid C identifier. */
export function checkIdentifier(name: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || C_KEYWORDS.has(name))
    throw new TinyOpsError('CODEGEN_NAME', `${what} "${name}" is not a valid C identifier`, {
      hint: 'Use letters, digits and underscores, not starting with a digit, and not a C/C++ keyword (e.g. kws_model).',
    });
  return name;
}

/** The upper-case prefix for macros derived from an identifier. */
export const macroPrefix = (id: string) => id.replace(/^_+/, '').toUpperCase();
