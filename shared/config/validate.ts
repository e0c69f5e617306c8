import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { TinyOpsError } from '../errors';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
addFormats(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

/** Where an error points: the key path, and a "file:line:col" when the caller can locate it. */
export type Locate = (path: string[], key?: boolean) => string | undefined;

/** Validates data against a JSON Schema; on failure throws one TinyOpsError listing every problem
 * with its key path and what is allowed there. */
export function validateWithSchema(
  schema: object,
  data: unknown,
  what: { code: string; source: string; locate?: Locate; hint?: string },
): void {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(data)) return;
  const problems = dedupe(validate.errors ?? []).map((e) => describeProblem(e, what.locate));
  throw new TinyOpsError(
    what.code,
    `${what.source} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    {
      where: what.source,
      hint: what.hint,
    },
  );
}

/** anyOf/oneOf report every branch; keep the most specific error per path. */
function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject>();
  for (const e of errors) {
    const key = `${e.instancePath}|${e.keyword === 'additionalProperties' ? e.params.additionalProperty : ''}`;
    const prev = byPath.get(key);
    if (!prev || prev.keyword === 'anyOf' || prev.keyword === 'oneOf') byPath.set(key, e);
  }
  return [...byPath.values()];
}

function describeProblem(e: ErrorObject, locate?: Locate): string {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const keyPath = path.length
    ? path
        .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
        .join('')
        .replace(/^\./, '')
    : '(top level)';
  let what: string;
  switch (e.keyword) {
    case 'additionalProperties':
      what = `unknown key "${e.params.additionalProperty}"${allowedKeys(e)}`;
      break;
    case 'enum':
      what = `must be one of: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'required':
      what = `missing required key "${e.params.missingProperty}"`;
      break;
    case 'type':
      what = `must be ${e.params.type}`;
      break;
    default:
      what = e.message ?? e.keyword;
  }
  const unknownKey = e.keyword === 'additionalProperties';
  const at = locate?.(
    unknownKey ? [...path, String(e.params.additionalProperty)] : path,
    unknownKey,
  );
  return `${keyPath}: ${what}${at ? ` (${at})` : ''}`;
}

function allowedKeys(e: ErrorObject): string {
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)
    ?.properties;
  return props ? `; allowed: ${Object.keys(props).join(', ')}` : '';
}
