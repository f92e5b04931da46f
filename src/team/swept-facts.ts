/**
 * The stored facts' side of a retention sweep (the rule is core/sweep.ts): every lead's
 * moments, the events a swept lead keeps, and dropping the swept events from the segments so
 * storage really shrinks. Each reads one segment at a time: a large workspace's facts are
 * never all in memory at once.
 */
import { encodeSegment, readStoredSegment, type LoggedEvent } from '../core/facts.ts';
import { isSwept, momentOf, type Moment } from '../core/sweep.ts';
import type { WorkspaceDb } from '../data/db.ts';

async function eachSegmentEvents(
  db: WorkspaceDb,
  visit: (events: LoggedEvent[], key: number) => Promise<void> | void,
): Promise<void> {
  for (const key of await db.facts.toCollection().primaryKeys()) {
    const segment = await db.facts.get(key);
    if (segment) await visit(await readStoredSegment(segment.bytes), key);
  }
}

/** Every lead's moments, from the stored segments (in log order, not yet in time order). */
export async function storedMoments(db: WorkspaceDb): Promise<Map<string, Moment[]>> {
  const moments = new Map<string, Moment[]>();
  await eachSegmentEvents(db, (events) => {
    for (const e of events) {
      let list = moments.get(e.visitorId);
      if (!list) moments.set(e.visitorId, (list = []));
      list.push(momentOf(e));
    }
  });
  return moments;
}

/** The events these leads keep after a sweep through each one's moment, in log order. */
export async function keptEvents(
  db: WorkspaceDb,
  leads: ReadonlyMap<string, Moment>,
): Promise<Map<string, LoggedEvent[]>> {
  const kept = new Map<string, LoggedEvent[]>();
  await eachSegmentEvents(db, (events) => {
    for (const e of events) {
      const through = leads.get(e.visitorId);
      if (!through || isSwept(e, through)) continue;
      let list = kept.get(e.visitorId);
      if (!list) kept.set(e.visitorId, (list = []));
      list.push(e);
    }
  });
  return kept;
}

/** Drops the swept events from every segment (one left empty goes); returns how many went. */
export async function dropSweptFacts(
  db: WorkspaceDb,
  swept: ReadonlyMap<string, Moment>,
): Promise<number> {
  let dropped = 0;
  await eachSegmentEvents(db, async (events, key) => {
    const kept = events.filter((e) => {
      const through = swept.get(e.visitorId);
      return !through || !isSwept(e, through);
    });
    if (kept.length === events.length) return;
    dropped += events.length - kept.length;
    const first = kept[0];
    if (!first) {
      await db.facts.delete(key);
      return;
    }
    const last = (await db.facts.get(key))?.last ?? key;
    await db.facts.put({
      last,
      first: first.seq,
      count: kept.length,
      bytes: await encodeSegment(kept),
    });
  });
  return dropped;
}
