/**
 * Visitors' facts as each browser keeps them: the page views and chat events of a stretch of
 * the intake log,
 * in log order, as one compressed segment. Facts are immutable, so a segment is written once and
 * carried as it is into the relay snapshot; reading one back validates every event again (a
 * snapshot is a teammate's upload, and nothing a teammate sends is trusted blindly).
 */
import { checkCaptureEvent, type ChatEvent, type PageView } from './capture.ts';

/** Where and when an event sits in the intake log. */
interface Logged {
  seq: number;
  /** When the relay stored it (its clock; absent in facts stored before it was kept). */
  receivedAt?: number;
}

/** A page view with the log position it was read at. */
export interface LoggedPageView extends PageView, Logged {}

/** A chat event with its log position and the public key that sealed it (see chat-seal.ts). */
export type LoggedChat = ChatEvent & Logged & { from: string };

/** What a visitor did, as read from the log. */
export type LoggedEvent = LoggedPageView | LoggedChat;

/** A public key as boxes carry it: a raw P-256 point, base64url. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{80,100}$/;

export async function encodeSegment(
  events: readonly LoggedEvent[],
): Promise<Uint8Array<ArrayBuffer>> {
  return gzip(new TextEncoder().encode(JSON.stringify(events)));
}

/** The valid events of a segment; `invalid` counts those that were not. */
export async function decodeSegment(
  bytes: Uint8Array,
): Promise<{ events: LoggedEvent[]; invalid: number }> {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(await gunzip(bytes)));
  } catch {
    return { events: [], invalid: 1 };
  }
  if (!Array.isArray(raw)) return { events: [], invalid: 1 };
  const events: LoggedEvent[] = [];
  let invalid = 0;
  for (const item of raw as unknown[]) {
    const { seq, from, receivedAt } = (item ?? {}) as {
      seq?: unknown;
      from?: unknown;
      receivedAt?: unknown;
    };
    const checked = checkCaptureEvent(item);
    const received = Number.isSafeInteger(receivedAt) ? { receivedAt: receivedAt as number } : {};
    if (!checked.ok || !Number.isSafeInteger(seq)) invalid++;
    else if (checked.value.kind === 'pageview') {
      events.push({ ...checked.value, seq: seq as number, ...received });
    } else if (
      checked.value.kind !== 'excluded' &&
      typeof from === 'string' &&
      KEY_PATTERN.test(from)
    ) {
      events.push({ ...checked.value, seq: seq as number, from, ...received });
    } else invalid++;
  }
  return { events, invalid };
}

/**
 * The events of a segment this browser stored itself, read without checking them again: every
 * stored segment holds only events that were checked on the way in (intake checks each one, a
 * snapshot's segments are checked before they are stored) — a sweep reads them all, twice.
 */
export async function readStoredSegment(bytes: Uint8Array): Promise<LoggedEvent[]> {
  return JSON.parse(new TextDecoder().decode(await gunzip(bytes))) as LoggedEvent[];
}

/** Events grouped by their visitor (each lead's, in the order given). */
export function groupByLead<E extends { visitorId: string }>(
  events: readonly E[],
): Map<string, E[]> {
  const byLead = new Map<string, E[]>();
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
