import * as fs from 'node:fs';
import { TinyOpsError } from '../errors';
import { writeFileAtomic } from '../fsutil/atomic';
import { validateWithSchema } from '../config/validate';

/** Every report carries its kind and schema version so a later step knows what it reads. */
export interface ReportEnvelope {
  schemaVersion: number;
  kind: string;
}

/** Validates a report against its schema, then writes it atomically as pretty JSON. */
export function writeReport(path: string, schema: object, report: ReportEnvelope): void {
  validateWithSchema(schema, report, {
    code: 'REPORT_INVALID',
    source: `the ${report.kind} report being written to ${path}`,
    hint: 'This is a TinyOps bug: please report it with the command that produced it.',
  });
  writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** Reads and validates a report written by an earlier step. */
export function readReport<T extends ReportEnvelope>(
  path: string,
  schema: object,
  kind: string,
): T {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TinyOpsError(
      'REPORT_UNREADABLE',
      missing ? `${kind} report not found: ${path}` : `${kind} report ${path} is not valid JSON`,
      {
        where: path,
        hint: missing
          ? 'Check the path, or that the step producing it ran and uploaded it.'
          : 'Give the JSON file the earlier TinyOps step wrote.',
      },
    );
  }
  if ((data as ReportEnvelope | null)?.kind !== kind)
    throw new TinyOpsError(
      'REPORT_KIND',
      `${path} is not a ${kind} report (kind: ${JSON.stringify((data as ReportEnvelope | null)?.kind)})`,
      {
        where: path,
        hint: `Give the ${kind} report here.`,
      },
    );
  validateWithSchema(schema, data, {
    code: 'REPORT_INVALID',
    source: `${kind} report ${path}`,
    hint: 'Regenerate it with the same TinyOps version.',
  });
  return data as T;
}
