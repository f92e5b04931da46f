/**
 * Visitors' facts as each browser keeps them: the page views of a stretch of the intake log,
 * in log order, as one compressed segment. Facts are immutable, so a segment is written once and
 * carried as it is into the relay snapshot; reading one back validates every event again (a
 * snapshot is a teammate's upload, and nothing a teammate sends is trusted blindly).
 */
import { checkCaptureEvent, type PageView } from './capture.ts';

/** A page view with the log position it was read at. */
export interface LoggedPageView extends PageView {
  seq: number;
}

export async function encodeSegment(
  events: readonly LoggedPageView[],
): Promise<Uint8Array<ArrayBuffer>> {
  return gzip(new TextEncoder().encode(JSON.stringify(events)));
}

/** The valid events of a segment; `invalid` counts those that were not. */
export async function decodeSegment(
  bytes: Uint8Array,
): Promise<{ events: LoggedPageView[]; invalid: number }> {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(await gunzip(bytes)));
  } catch {
    return { events: [], invalid: 1 };
  }
  if (!Array.isArray(raw)) return { events: [], invalid: 1 };
  const events: LoggedPageView[] = [];
  let invalid = 0;
  for (const item of raw as unknown[]) {
    const seq = (item as { seq?: unknown } | null)?.seq;
    const checked = checkCaptureEvent(item);
    if (checked.ok && checked.value.kind === 'pageview' && Number.isSafeInteger(seq)) {
      events.push({ ...checked.value, seq: seq as number });
    } else invalid++;
  }
  return { events, invalid };
}

/** Events grouped by their visitor (each lead's, in the order given). */
export function groupByLead(events: readonly LoggedPageView[]): Map<string, LoggedPageView[]> {
  const byLead = new Map<string, LoggedPageView[]>();
  for (const e of events) {
    let views = byLead.get(e.visitorId);
    if (!views) byLead.set(e.visitorId, (views = []));
    views.push(e);
  }
  return byLead;
}

export function gzip(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return pipe(bytes, new CompressionStream('gzip'));
}

export function gunzip(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return pipe(bytes, new DecompressionStream('gzip'));
}

async function pipe(
  bytes: Uint8Array,
  through: CompressionStream | DecompressionStream,
): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(through);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
