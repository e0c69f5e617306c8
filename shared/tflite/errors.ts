import { TinyOpsError } from '../errors';

/** A .tflite file that does not follow the flatbuffer layout or the TFLite schema. Names the
 * field (a path from the root table) and the byte offset where the problem was found. */
export class TfliteFormatError extends TinyOpsError {
  readonly field: string;
  readonly offset: number;

  constructor(message: string, field: string, offset: number, source?: string) {
    super(
      'TFLITE_MALFORMED',
      `${source ? `${source}: ` : ''}not a valid TFLite model: ${message}`,
      {
        where: `${field} @ byte ${offset}`,
        hint: 'Re-export the model with the TFLite converter, or check that the file was not truncated or altered in transit (e.g. Git LFS pointer, text-mode copy).',
      },
    );
    this.name = 'TfliteFormatError';
    this.field = field;
    this.offset = offset;
  }
}
