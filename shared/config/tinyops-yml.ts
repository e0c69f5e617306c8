import * as fs from 'node:fs';
import { LineCounter, parseDocument, isNode, isMap, isScalar } from 'yaml';
import { TinyOpsError } from '../errors';
import { validateWithSchema } from './validate';
import CONFIG_SCHEMA from '../../schemas/tinyops.schema.json';

/** tinyops.yml as written (kebab-case keys, sizes and durations still as the user wrote them). */
export interface TinyOpsConfigFile {
  model?: string;
  targets?: Array<{
    board?: string;
    name?: string;
    flash?: string | number;
    ram?: string | number;
    'clock-mhz'?: number;
    core?: string;
    runtime?: 'tinyops' | 'tflm-reference' | 'cmsis-nn';
    budgets?: BudgetsFile;
  }>;
  budgets?: BudgetsFile;
  dataset?: { path: string; labels: string; limit?: number };
  baseline?: string;
  reports?: { build?: string; hil?: string };
  'fail-on'?: 'error' | 'warning' | 'never';
  comment?: boolean;
}

export interface BudgetsFile {
  'max-flash'?: string | number;
  'max-ram'?: string | number;
  'max-latency'?: string | number;
  'min-accuracy'?: string | number;
  'max-accuracy-drop'?: string | number;
  'headroom-warning'?: string | number;
}

export { CONFIG_SCHEMA };

/** Reads and validates tinyops.yml; errors name the key path, the line, and what is allowed. */
export function loadConfigFile(path: string): TinyOpsConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    throw new TinyOpsError('CONFIG_NOT_FOUND', `Config file not found: ${path}`, {
      hint: 'Create tinyops.yml at the repository root (see schemas/tinyops.schema.json), or give its path with config-file / --config.',
    });
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, source: string): TinyOpsConfigFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw new TinyOpsError(
      'CONFIG_YAML',
      `${source} is not valid YAML: ${e.message.split('\n')[0]}`,
      {
        where: pos ? `${source}:${pos.line}:${pos.col}` : source,
        hint: 'Fix the YAML syntax at the line shown (indentation, a missing colon, an unclosed quote).',
      },
    );
  }
  const data = doc.toJS() ?? {};
  validateWithSchema(CONFIG_SCHEMA, data, {
    code: 'CONFIG_INVALID',
    source,
    hint: 'See schemas/tinyops.schema.json for every key, or point your editor at it for completion.',
    locate: (path, key) => {
      let node: unknown = doc.getIn(path, true);
      if (key) {
        // Point at the offending key itself rather than its value.
        const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
        if (isMap(parent))
          node = parent.items.find(
            (pair) => isScalar(pair.key) && String(pair.key.value) === path[path.length - 1],
          )?.key;
      }
      const range = isNode(node) ? node.range : undefined;
      if (!range) return undefined;
      const { line, col } = lineCounter.linePos(range[0]);
      return `${source}:${line}:${col}`;
    },
  });
  return data as TinyOpsConfigFile;
}
