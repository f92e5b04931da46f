/**
 * Intake in the leader tab: the relay's log followed (log-follower.ts), each batch's boxes
 * opened and validated, its page views handed to the projection, which stores them with the
 * cursor. Dropped and excluded envelopes are counted, with the batch.
 */
import { ObservableV2 } from 'lib0/observable';
import type { Diagnostics, IntakeStatus } from '../contracts/team.ts';
import type { Clock, Timers } from '../contracts/time.ts';
import { checkCaptureEvent, type CaptureEvent } from '../core/capture.ts';
import { isCrawler } from '../core/crawlers.ts';
import type { LoggedEvent } from '../core/facts.ts';
import type { LogEntry } from '../core/relay-protocol.ts';
import { importChatPrivateKey, openFromVisitor } from '../core/chat-seal.ts';
import { importIntakePrivateKey, open } from '../core/seal.ts';
import { IntakeFollower } from './log-follower.ts';
import type { Projection } from './projection.ts';

export interface OpenedBatch {
  /** Page views, in log order, with their log position. */
  views: LoggedEvent[];
  /** Visits by bots and automation (told by the widget, or by their user agent): only counted. */
  excluded: number;
  /** Envelopes that failed decryption or validation: dropped, never blocking later ones. */
  dropped: { seq: number; reason: 'undecryptable' | 'invalid' }[];
}

/** The intake private key, imported for each kind of box. */
export interface IntakeKeys {
  /** Page views (seal.ts). */
  box: CryptoKey;
  /** Chat events (chat-seal.ts). */
  chat: CryptoKey;
}

export async function intakeKeysOf(jwk: JsonWebKey): Promise<IntakeKeys> {
  const [box, chat] = await Promise.all([importIntakePrivateKey(jwk), importChatPrivateKey(jwk)]);
  return { box, chat };
}

/** Opens and validates a batch of sealed envelopes with the workspace's intake key. */
export async function openBoxes(
  keys: IntakeKeys,
  workspaceId: string,
  entries: LogEntry[],
): Promise<OpenedBatch> {
  const out: OpenedBatch = { views: [], excluded: 0, dropped: [] };
  const opened = await Promise.all(entries.map((entry) => openBox(keys, workspaceId, entry)));
  opened.forEach((result, i) => {
    const seq = entries[i]?.seq ?? 0;
    // The relay's time of storing it (see core/sweep.ts); without one, the visitor's is used.
    const receivedAt = entries[i]?.receivedAt;
    if (typeof result === 'string') out.dropped.push({ seq, reason: result });
    else if (result.event.kind === 'excluded') out.excluded++;
    else if (result.event.kind === 'pageview' && isCrawler(result.event.ua)) out.excluded++;
    else {
      // Nothing happened after the relay stored it: a visitor's clock running ahead would
      // otherwise date a lead in the future (and out of every period the Overview counts).
      const received = Number.isSafeInteger(receivedAt)
        ? { receivedAt: receivedAt as number, at: Math.min(result.event.at, receivedAt as number) }
        : {};
      if (result.event.kind === 'pageview') out.views.push({ ...result.event, seq, ...received });
      else out.views.push({ ...result.event, seq, ...received, from: result.from });
    }
  });
  return out;
}

async function openBox(
  keys: IntakeKeys,
  workspaceId: string,
  entry: LogEntry,
): Promise<{ event: CaptureEvent; from: string } | 'undecryptable' | 'invalid'> {
  // A chat event must come in a chat box, which proves its sender's key; a page view in the other.
  const chat = entry.sealed.startsWith('h1.');
  let text: string;
  let from = '';
  try {
    if (chat) ({ text, from } = await openFromVisitor(keys.chat, entry.sealed, workspaceId));
    else text = await open(keys.box, entry.sealed, workspaceId);
  } catch {
    return 'undecryptable';
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'invalid';
  }
  const checked = checkCaptureEvent(parsed);
  // The event id inside the box must match the id the relay deduplicated on.
  if (!checked.ok || checked.value.id !== entry.id) return 'invalid';
  const isChat = checked.value.kind === 'name' || checked.value.kind === 'message';
  if (isChat !== chat) return 'invalid';
  return { event: checked.value, from };
}

/** Entries the relay received longer ago than this are backlog: they raise no Hot alert. */
const LIVE_WITHIN_MS = 5 * 60_000;

export interface IntakeDeps {
  relayUrl: string;
  workspaceId: string;
  token: string;
  intakeKeys: () => Promise<IntakeKeys>;
  projection: Projection;
  diagnostics: Diagnostics;
  clock: Clock;
  timers: Timers;
}

export interface IntakeRunEvents {
  status: (status: IntakeStatus, detail: string) => void;
  /** Every entry the relay held is stored (true), or may not be (false). */
  caughtUp: (caughtUp: boolean) => void;
  /** The relay trimmed its log beyond the stored cursor: take in the snapshot, then `start`. */
  trimmed: () => void;
  diagnostics: (diagnostics: Diagnostics) => void;
}

export class Intake extends ObservableV2<IntakeRunEvents> {
  readonly #deps: IntakeDeps;
  #diagnostics: Diagnostics;
  #follower: IntakeFollower | undefined;

  constructor(deps: IntakeDeps) {
    super();
    this.#deps = deps;
    this.#diagnostics = deps.diagnostics;
  }

  /** Follows the log from the stored cursor (again, after a snapshot was taken in). */
  start(): void {
    this.#follower?.stop();
    const deps = this.#deps;
    this.#follower = new IntakeFollower({
      relayUrl: deps.relayUrl,
      workspaceId: deps.workspaceId,
      token: deps.token,
      cursor: deps.projection.cursor,
      onBatch: (entries, cursor) => this.#batch(entries, cursor),
      timers: deps.timers,
    });
    this.#follower.on('status', (status, detail) => {
      this.emit('status', [status, detail]);
    });
    this.#follower.on('caughtUp', (caughtUp) => {
      this.emit('caughtUp', [caughtUp]);
    });
    this.#follower.on('trimmed', () => {
      this.emit('trimmed', []);
    });
    this.#follower.start();
  }

  async #batch(entries: LogEntry[], cursor: number): Promise<void> {
    const deps = this.#deps;
    const opened = entries.length
      ? await openBoxes(await deps.intakeKeys(), deps.workspaceId, entries)
      : { views: [], excluded: 0, dropped: [] };
    const diagnostics = {
      dropped: this.#diagnostics.dropped + opened.dropped.length,
      excluded: this.#diagnostics.excluded + opened.excluded,
    };
    const newest = entries.reduce((at, e) => Math.max(at, e.receivedAt), 0);
    await deps.projection.ingest(opened.views, cursor, {
      live: newest >= deps.clock.now() - LIVE_WITHIN_MS,
      meta: { diagnostics },
    });
    this.#diagnostics = diagnostics;
    if (opened.dropped.length || opened.excluded) this.emit('diagnostics', [diagnostics]);
  }

  stop(): void {
    this.#follower?.stop();
  }
}
