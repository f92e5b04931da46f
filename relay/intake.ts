/**
 * Intake: checks an intake body (shape only: the relay cannot decrypt), and the group commit
 * that makes accepted events durable. Requests that arrive within one event-loop turn share a
 * single SQLite transaction (one fsync), and each is answered only after that transaction has
 * committed; this is what makes "ack = durable" cheap enough for thousands of events/s.
 */
import { ID_PATTERN } from '../src/core/names.ts';
import * as v from 'valibot';
import { RELAY_LIMITS, type IntakeItem, type RelayErrorCode } from '../src/core/relay-protocol.ts';
import { check, says, shape } from './checks.ts';
import { eventBytes, type PendingWrite, type Store, type WriteResult } from './store.ts';

/**
 * A box, four base64url parts: `s1.<ephemeral key>.<iv>.<ciphertext>` (a page view, `seal()`)
 * or `h1.<sender key>.<enc>.<ciphertext>` (a chat message, chat-seal.ts).
 */
export const SEALED_SHAPE = /^[sh]1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface Rejection {
  status: number;
  error: RelayErrorCode;
  message: string;
}

const ID_RULE = says('invalid_id', `must match ${ID_PATTERN.source}`);
const NOT_SEALED = says('invalid_sealed', 'is not a sealed box ([sh]1.<b64url>.<b64url>.<b64url>)');

// In PROTOCOL.md's order: the batch's shape and size first, then each event's id and box.
const intakeBody = shape(
  {
    events: v.pipe(
      v.array(v.unknown(), says('invalid_body', 'must be an array')),
      v.minLength(1, says('empty_batch', 'is empty')),
      v.maxLength(
        RELAY_LIMITS.maxBatch,
        says('too_many_events', `must hold at most ${RELAY_LIMITS.maxBatch} events per request`),
      ),
      v.array(
        shape(
          {
            id: v.pipe(v.string(ID_RULE), v.regex(ID_PATTERN, ID_RULE)),
            sealed: v.pipe(
              v.string(says('invalid_sealed', 'is not a string')),
              v.maxLength(
                RELAY_LIMITS.maxSealedBytes,
                says('sealed_too_large', `is over ${RELAY_LIMITS.maxSealedBytes} bytes`),
              ),
              v.regex(SEALED_SHAPE, NOT_SEALED),
            ),
          },
          says('invalid_body', 'is not an object'),
        ),
      ),
    ),
  },
  says('invalid_body', 'must be a JSON object'),
);

/** Refusals that say the body is too big rather than malformed. */
const TOO_LARGE: ReadonlySet<RelayErrorCode> = new Set(['too_many_events', 'sealed_too_large']);

/** Parses and checks an intake body; the whole batch is refused if one event is malformed. */
export function parseIntake(body: Buffer): IntakeItem[] | Rejection {
  let data: unknown;
  try {
    data = JSON.parse(body.toString('utf8'));
  } catch {
    return { status: 400, error: 'invalid_json', message: 'the body is not valid JSON' };
  }
  const checked = check(intakeBody, data, 'the body', 'invalid_body');
  if (checked.ok) return checked.value.events;
  const { error, message } = checked;
  return { status: TOO_LARGE.has(error) ? 413 : 400, error, message };
}

interface Waiting {
  write: PendingWrite;
  bytes: number;
  done: (result: WriteResult | Error) => void;
}

export class Busy extends Error {
  override name = 'Busy';
}

export class GroupCommitter {
  readonly #store: Store;
  readonly #maxPendingBytes: number;
  #queue: Waiting[] = [];
  #pendingBytes = 0;
  #scheduled = false;
  #closed = false;
  /** Commits done and events written since start, for /health and the benchmark. */
  commits = 0;
  written = 0;

  constructor(store: Store, maxPendingBytes: number) {
    this.#store = store;
    this.#maxPendingBytes = maxPendingBytes;
  }

  get pendingEvents(): number {
    let n = 0;
    for (const w of this.#queue) n += w.write.events.length;
    return n;
  }

  /** Resolves once the events are durable (or refused); rejects with Busy when overloaded. */
  submit(write: PendingWrite): Promise<WriteResult> {
    if (this.#closed) return Promise.reject(new Busy('the relay is shutting down'));
    let bytes = 0;
    for (const item of write.events) bytes += eventBytes(item);
    if (this.#pendingBytes + bytes > this.#maxPendingBytes) {
      return Promise.reject(new Busy('too many writes waiting'));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({
        write,
        bytes,
        done: (result) => {
          if (result instanceof Error) reject(result);
          else resolve(result);
        },
      });
      this.#pendingBytes += bytes;
      if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate runs after the current poll phase: every body that finished arriving in
        // this turn joins the same transaction.
        setImmediate(() => {
          void this.flush();
        });
      }
    });
  }

  /** Commits everything waiting, now (the store tells its listeners of what it wrote). */
  async flush(): Promise<void> {
    this.#scheduled = false;
    const queue = this.#queue;
    if (queue.length === 0) return;
    this.#queue = [];
    this.#pendingBytes = 0;
    let results: WriteResult[];
    try {
      results = await this.#store.commit(queue.map((w) => w.write));
    } catch (err) {
      // Nothing of this group was committed (the transaction rolled back, or the store is
      // away and acknowledged nothing): refuse it all.
      const error = err instanceof Error ? err : new Error(String(err));
      for (const w of queue) w.done(error);
      return;
    }
    this.commits++;
    queue.forEach((waiting, i) => {
      const result = results[i];
      if (!result) return;
      if (result.ok) this.written += result.entries.length;
      waiting.done(result);
    });
  }

  /** Commits what is waiting and refuses anything submitted later. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}
