/**
 * Keeping the stored fact segments in shape: live intake stores one segment per batch, often
 * a handful of events; runs of small ones are merged into segments of a few thousand, so the
 * relay snapshot (which carries every segment) and a fold from storage read few rows.
 */
import { decodeSegment, encodeSegment, type LoggedEvent } from '../core/facts.ts';
import type { FactSegment, WorkspaceDb } from '../data/db.ts';

/** Segments with fewer events than this are small. */
export const SMALL_SEGMENT = 500;
/** Events at most in a merged segment. */
const MERGED_MAX = 5_000;

export function countSmallSegments(db: WorkspaceDb): Promise<number> {
  return db.facts.filter((s) => s.count < SMALL_SEGMENT).count();
}

/** Merges each run of consecutive small segments into one; returns how many small ones remain. */
export async function mergeSmallSegments(db: WorkspaceDb): Promise<number> {
  const segments = await db.facts.toArray();
  const runs: FactSegment[][] = [];
  let run: FactSegment[] = [];
  let size = 0;
  for (const segment of segments) {
    if (segment.count >= SMALL_SEGMENT || size + segment.count > MERGED_MAX) {
      if (run.length > 1) runs.push(run);
      run = [];
      size = 0;
    }
    if (segment.count < SMALL_SEGMENT) {
      run.push(segment);
      size += segment.count;
    }
  }
  if (run.length > 1) runs.push(run);
  for (const parts of runs) {
    const events: LoggedEvent[] = [];
    for (const part of parts) events.push(...(await decodeSegment(part.bytes)).events);
    const last = parts[parts.length - 1]?.last ?? 0;
    const merged: FactSegment = {
      last,
      first: parts[0]?.first ?? last,
      count: events.length,
      bytes: await encodeSegment(events),
    };
    await db.transaction('rw', db.facts, async () => {
      await db.facts.bulkDelete(parts.map((p) => p.last));
      await db.facts.put(merged);
    });
  }
  return countSmallSegments(db);
}
