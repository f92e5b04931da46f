import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IntakeItem } from '../../src/core/relay-protocol.ts';
import { Outbox, type OutboxEnv } from '../../widget/outbox.ts';

const ENDPOINT = 'https://relay.example/v1/intake/WWWWWWWWWWWWWWWWWWWWWW';
const KEY = 'converge:ws:outbox';

/** The relay as the outbox sees it: answers each POST with the next status (or a network error). */
class FakeRelay {
  readonly batches: IntakeItem[][] = [];
  readonly keepalive: boolean[] = [];
  answers: (number | 'offline')[] = [];
  /** Once the scripted answers run out. */
  otherwise: number | 'offline' = 200;

  readonly fetch: OutboxEnv['fetch'] = (_url, init) => {
    this.batches.push((JSON.parse(init.body as string) as { events: IntakeItem[] }).events);
    this.keepalive.push(init.keepalive === true);
    const answer = this.answers.shift() ?? this.otherwise;
    if (answer === 'offline') return Promise.reject(new TypeError('Failed to fetch'));
    return Promise.resolve({ ok: answer >= 200 && answer < 300, status: answer });
  };

  get calls(): number {
    return this.batches.length;
  }
}

/** A page: the fake relay, a Map for the site's storage, vitest's fake timers, no jitter. */
function page(storage = new Map<string, string>(), random = () => 1) {
  const relay = new FakeRelay();
  const env: OutboxEnv = {
    fetch: relay.fetch,
    read: (key) => storage.get(key) ?? null,
    write: (key, value) => storage.set(key, value),
    setTimeout: (run, ms) => setTimeout(run, ms),
    clearTimeout: (timer) => {
      clearTimeout(timer as ReturnType<typeof setTimeout>);
    },
    random,
  };
  const outbox = new Outbox(ENDPOINT, KEY, env);
  const queued = (): IntakeItem[] => JSON.parse(storage.get(KEY) ?? '[]') as IntakeItem[];
  return { relay, outbox, storage, queued };
}

let n = 0;
const item = (): IntakeItem => ({
  id: `event-${String(n++).padStart(16, '0')}`,
  sealed: 's1.a.b.c',
});

/** Lets the outbox's awaited fetches settle without moving the clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('outbox', () => {
  it('sends an event at once and forgets it once the relay has it', async () => {
    const { relay, outbox, queued } = page();
    const event = item();
    outbox.add(event);
    expect(queued()).toEqual([event]);
    await settle();
    expect(relay.batches).toEqual([[event]]);
    expect(queued()).toEqual([]);
  });

  it('retries after 1, 2, 4 and 8 s, then every 15 s, while the relay is unreachable', async () => {
    const { relay, outbox, queued } = page();
    relay.otherwise = 'offline';
    outbox.add(item());
    await settle();
    expect(relay.calls).toBe(1);
    // [time since the add, sends so far]
    const expected: [number, number][] = [
      [999, 1],
      [1_000, 2],
      [2_999, 2],
      [3_000, 3],
      [7_000, 4],
      [15_000, 5],
      [29_999, 5],
      [30_000, 6],
      [45_000, 7],
      [60_000, 8],
    ];
    let now = 0;
    for (const [at, calls] of expected) {
      await vi.advanceTimersByTimeAsync(at - now);
      now = at;
      expect([at, relay.calls]).toEqual([at, calls]);
    }
    expect(queued()).toHaveLength(1);
  });

  it('cuts each wait by up to half at random', async () => {
    const { relay, outbox } = page(new Map(), () => 0);
    relay.otherwise = 'offline';
    outbox.add(item());
    await settle();
    await vi.advanceTimersByTimeAsync(499);
    expect(relay.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(relay.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(relay.calls).toBe(3);
  });

  it('starts again from 1 s after a success', async () => {
    const { relay, outbox, queued } = page();
    relay.answers = ['offline', 503, 200, 'offline'];
    outbox.add(item());
    await settle();
    await vi.advanceTimersByTimeAsync(1_000 + 2_000);
    expect(relay.calls).toBe(3);
    expect(queued()).toEqual([]);
    outbox.add(item());
    await settle();
    expect(relay.calls).toBe(4);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(relay.calls).toBe(5);
  });

  it.each([429, 500, 503, 507, 404])('keeps the batch and retries on %i', async (status) => {
    const { relay, outbox, queued } = page();
    relay.answers = [status];
    const event = item();
    outbox.add(event);
    await settle();
    expect(queued()).toEqual([event]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(relay.batches).toEqual([[event], [event]]);
    expect(queued()).toEqual([]);
  });

  it.each([400, 413])(
    'drops an event the relay can never accept (%i), counts it, and retries nothing',
    async (status) => {
      const { relay, outbox, queued } = page();
      relay.answers = [status];
      outbox.add(item());
      await settle();
      expect(queued()).toEqual([]);
      expect(outbox.refused).toBe(1);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(relay.calls).toBe(1);
    },
  );

  it('never lets one refused event take the others of its batch with it', async () => {
    const storage = new Map<string, string>();
    const [before, bad, after] = [item(), item(), item()];
    // Queued together (the relay was down), then sent as one batch.
    storage.set(KEY, JSON.stringify([before, bad, after]));
    const { relay, outbox, queued } = page(storage);
    const sent: string[] = [];
    outbox.onSent = (ids) => sent.push(...ids);
    // The batch is refused (413); sent one by one, only the bad event is refused again.
    relay.answers = [413, 200, 413, 200];
    await outbox.flush();
    expect(relay.batches).toEqual([[before, bad, after], [before], [bad], [after]]);
    expect(sent).toEqual([before.id, after.id]);
    expect(outbox.refused).toBe(1);
    expect(queued()).toEqual([]);
  });

  it('keeps what it has not sent yet when the relay goes away while it sends one by one', async () => {
    const storage = new Map<string, string>();
    const [first, second] = [item(), item()];
    storage.set(KEY, JSON.stringify([first, second]));
    const { relay, outbox, queued } = page(storage);
    relay.answers = [413, 200, 'offline'];
    await outbox.flush();
    expect(queued()).toEqual([second]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(queued()).toEqual([]);
  });

  it('sends at once when asked (online, pagehide) instead of waiting', async () => {
    const { relay, outbox, queued } = page();
    relay.answers = ['offline'];
    outbox.add(item());
    await settle();
    await vi.advanceTimersByTimeAsync(500);
    await outbox.flush(true);
    expect(relay.calls).toBe(2);
    expect(relay.keepalive).toEqual([false, true]);
    expect(queued()).toEqual([]);
  });

  it('replaces the retry that was waiting when asked to send, and backs off further', async () => {
    const { relay, outbox, queued } = page();
    relay.answers = ['offline', 'offline'];
    outbox.add(item());
    await settle();
    await vi.advanceTimersByTimeAsync(500);
    await outbox.flush();
    expect(relay.calls).toBe(2);
    // The 1 s retry is gone; the next one is 2 s after the second failure.
    await vi.advanceTimersByTimeAsync(1_999);
    expect(relay.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(relay.calls).toBe(3);
    expect(queued()).toEqual([]);
  });

  it('sends in batches of at most 50 events, one after another', async () => {
    const { relay, outbox, storage, queued } = page();
    relay.otherwise = 'offline';
    for (let i = 0; i < 120; i++) outbox.add(item());
    await settle();
    relay.otherwise = 200;
    relay.batches.length = 0;
    expect(queued()).toHaveLength(120);
    await outbox.flush();
    expect(relay.batches.map((b) => b.length)).toEqual([50, 50, 20]);
    expect(storage.get(KEY)).toBe('[]');
  });

  it('keeps the newest 300 events when the relay stays away', async () => {
    const { relay, outbox, queued } = page();
    relay.otherwise = 'offline';
    const events = Array.from({ length: 310 }, item);
    for (const event of events) outbox.add(event);
    await settle();
    expect(queued()).toEqual(events.slice(10));
  });

  it('sends what an earlier page left in storage', async () => {
    const storage = new Map<string, string>();
    const first = page(storage);
    first.relay.otherwise = 'offline';
    const left = item();
    first.outbox.add(left);
    await settle();
    // The next page load, with the relay back.
    const next = page(storage);
    const event = item();
    next.outbox.add(event);
    await settle();
    expect(next.relay.batches).toEqual([[left, event]]);
    expect(next.queued()).toEqual([]);
  });

  it('skips what another script left under its key, and sends the rest', async () => {
    const good = item();
    const storage = new Map([[KEY, JSON.stringify([1, null, { id: 5 }, good, 'x'])]]);
    const { relay, outbox, queued } = page(storage);
    const event = item();
    outbox.add(event);
    await settle();
    expect(relay.batches).toEqual([[good, event]]);
    expect(queued()).toEqual([]);
  });

  it('works from memory when storage is blocked or holds junk', async () => {
    const storage = new Map([[KEY, '{not json']]);
    const junk = page(storage);
    junk.outbox.add(item());
    await settle();
    expect(junk.relay.batches[0]).toHaveLength(1);

    const relay = new FakeRelay();
    relay.answers = ['offline'];
    const blocked = new Outbox(ENDPOINT, KEY, {
      fetch: relay.fetch,
      read: () => null,
      write: () => false,
      setTimeout: (run, ms) => setTimeout(run, ms),
      clearTimeout: (timer) => {
        clearTimeout(timer as ReturnType<typeof setTimeout>);
      },
      random: () => 1,
    });
    const event = item();
    blocked.add(event);
    await settle();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(relay.batches).toEqual([[event], [event]]);
  });
});
