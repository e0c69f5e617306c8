import { TinyOpsError } from '../errors';

/** An MCUboot image version: major.minor.revision+build (u8.u8.u16+u32 in the image header). */
export interface ImageVersion {
  major: number;
  minor: number;
  revision: number;
  build: number;
}

const LIMITS = { major: 0xff, minor: 0xff, revision: 0xffff, build: 0xffffffff };

/** Parses `v1.2.3`, `1.2.3+4`, `1.2` (missing parts are 0) or a tag ref such as `refs/tags/v1.2.3`. */
export function parseImageVersion(text: string, where = '--version'): ImageVersion {
  const tag = text.trim().replace(/^refs\/tags\//, '');
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\+(\d+))?$/.exec(tag);
  if (!m)
    throw new TinyOpsError('OTA_VERSION', `"${text}" is not an image version`, {
      where,
      hint: 'Use major.minor.revision[+build], e.g. 1.2.3 or v1.2.3+4 (a release tag works).',
    });
  const v: ImageVersion = {
    major: Number(m[1]),
    minor: Number(m[2] ?? 0),
    revision: Number(m[3] ?? 0),
    build: Number(m[4] ?? 0),
  };
  for (const key of Object.keys(LIMITS) as Array<keyof ImageVersion>) {
    if (v[key] > LIMITS[key])
      throw new TinyOpsError(
        'OTA_VERSION',
        `Version ${text}: ${key} ${v[key]} exceeds the header's limit ${LIMITS[key]}`,
        {
          where,
          hint: 'MCUboot stores major and minor in one byte, revision in two, build in four.',
        },
      );
  }
  return v;
}

export function formatImageVersion(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.revision}${v.build ? `+${v.build}` : ''}`;
}

/** Orders versions as MCUboot's downgrade prevention does (major, minor, revision, then build). */
export function compareImageVersions(a: ImageVersion, b: ImageVersion): number {
  return a.major - b.major || a.minor - b.minor || a.revision - b.revision || a.build - b.build;
}
