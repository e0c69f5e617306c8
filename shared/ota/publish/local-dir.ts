import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFilesAtomic } from '../../fsutil/atomic';
import { parseManifest, serializeManifest, type OtaManifest } from '../manifest';

/** The files a release consists of: the signed image, the manifest, optionally the model. */
export interface ReleaseFiles {
  manifest: OtaManifest;
  image: Uint8Array;
  model?: { file: string; bytes: Uint8Array };
}

/** Where a board's latest published manifest is kept in a local release directory. */
const latestName = (board: string) => `latest-${board.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;

export function readLatestLocal(dir: string, board: string): OtaManifest | null {
  const file = path.join(dir, latestName(board));
  if (!fs.existsSync(file)) return null;
  return parseManifest(fs.readFileSync(file, 'utf8'), file);
}

/** Publishes to DIR/<releaseId>/ and updates DIR/latest-<board>.json, all in one atomic set:
 * a reader sees the whole release or none of it. Returns the release folder. */
export function publishLocal(dir: string, release: ReleaseFiles): string {
  const folder = path.join(dir, release.manifest.releaseId);
  const manifestText = serializeManifest(release.manifest);
  writeFilesAtomic([
    { path: path.join(folder, release.manifest.firmware.file), data: release.image },
    ...(release.model
      ? [{ path: path.join(folder, path.basename(release.model.file)), data: release.model.bytes }]
      : []),
    { path: path.join(folder, 'manifest.json'), data: manifestText },
    { path: path.join(dir, latestName(release.manifest.board)), data: manifestText },
  ]);
  return folder;
}
