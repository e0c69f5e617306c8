/** The hidden marker that identifies one action's sticky comment for one target on a PR. */
export function stickyMarker(action: string, target: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `<!-- tinyops:${clean(action)}:${clean(target)} -->`;
}
