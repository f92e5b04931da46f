/** Total order on events: time, then id (plain code-unit comparison, never locale-aware). */
export function compareEvents(
  a: { at: number; id: string },
  b: { at: number; id: string },
): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return compareText(a.id, b.id);
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
