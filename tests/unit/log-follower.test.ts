/**
 * Following the relay's intake log, with a fake socket and fake timers: batches in order, the
 * cursor moved only once a batch is durable, and reconnects from the durable cursor with
 * backoff — asserted at given times, not by sleeping.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Timers } from '../../src/contracts/time.ts';
import type { LiveServerMessage, LogEntry } from '../../src/core/relay-protocol.ts';
import { IntakeFollower, type Socket } from '../../src/team/log-follower.ts';

class FakeSocket implements Socket {
  onopen: (() => void) | null = null;
  onmessage: ((msg: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  sent: unknown[] = [];
  closed = false;
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
  /** The relay speaks. */
  say(message: LiveServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

const timers: Timers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

const entry = (seq: number): LogEntry => ({
  seq,
  id: `event${String(seq).padStart(17, '0')}`,
  sealed: 's1.a.b.c',
  receivedAt: 0,
});

function follower(onBatch: (entries: LogEntry[], cursor: number) => Promise<void>, cursor = 0) {
  const sockets: FakeSocket[] = [];
  const statuses: string[] = [];
  const f = new IntakeFollower({
    relayUrl: 'http://relay.example',
    workspaceId: 'ws',
    token: 'token',
    cursor,
    onBatch,
    timers,
    random: () => 0.5,
    connect: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
  });
  f.on('status', (status) => statuses.push(status));
  return { f, sockets, statuses };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('following the intake log', () => {
  it('follows from the durable cursor and moves it only once each batch is stored', async () => {
    vi.useFakeTimers();
    const stored: number[][] = [];
    let finish: () => void = () => {};
    const { f, sockets, statuses } = follower(async (entries) => {
      await new Promise<void>((resolve) => (finish = resolve));
      stored.push(entries.map((e) => e.seq));
    }, 7);
    f.start();
    const socket = sockets[0];
    if (!socket) throw new Error('no socket');
    socket.onopen?.();
    expect(socket.sent).toEqual([{ type: 'follow', workspace: 'ws', token: 'token', after: 7 }]);
    socket.say({ type: 'events', events: [entry(8), entry(9)], cursor: 9 });
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses.at(-1)).toBe('live');
    // Two more batches arrive while the first is being stored: they go in together, after it.
    socket.say({ type: 'events', events: [entry(10)], cursor: 10 });
    socket.say({ type: 'events', events: [entry(11)], cursor: 11 });
    await vi.advanceTimersByTimeAsync(0);
    expect(f.cursor).toBe(7);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.cursor).toBe(9);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(stored).toEqual([
      [8, 9],
      [10, 11],
    ]);
    expect(f.cursor).toBe(11);
    // Entries already stored are not handed over again.
    socket.say({ type: 'events', events: [entry(11), entry(12)], cursor: 12 });
    await vi.advanceTimersByTimeAsync(0);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(stored.at(-1)).toEqual([12]);
    f.stop();
  });

  it('ignores what is not a message of the log', async () => {
    vi.useFakeTimers();
    const stored: number[] = [];
    const { f, sockets } = follower((entries) => {
      stored.push(...entries.map((e) => e.seq));
      return Promise.resolve();
    });
    f.start();
    const socket = sockets[0];
    if (!socket) throw new Error('no socket');
    socket.onopen?.();
    for (const junk of [
      '{not json',
      '[]',
      '{"type":"events","events":"x","cursor":1}',
      '{"type":"events","events":[],"cursor":"1"}',
    ]) {
      socket.onmessage?.({ data: junk });
    }
    socket.onmessage?.({
      data: JSON.stringify({
        type: 'events',
        events: [entry(1), { seq: 'x' }, { ...entry(2), sealed: 3 }],
        cursor: 2,
      }),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stored).toEqual([1]);
    expect(f.cursor).toBe(2);
    f.stop();
  });

  it('after a batch fails, reconnects with backoff and replays from the durable cursor', async () => {
    vi.useFakeTimers();
    let fail = true;
    const stored: number[] = [];
    const { f, sockets } = follower((entries) => {
      if (fail) return Promise.reject(new Error('storage full'));
      stored.push(...entries.map((e) => e.seq));
      return Promise.resolve();
    });
    f.start();
    sockets[0]?.onopen?.();
    sockets[0]?.say({ type: 'events', events: [entry(1)], cursor: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets[0]?.closed).toBe(true);
    expect(f.cursor).toBe(0);
    // First retry after 250 ms (jitter at its middle), the next after 500 ms.
    await vi.advanceTimersByTimeAsync(249);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    sockets[1]?.onopen?.();
    expect(sockets[1]?.sent).toEqual([
      { type: 'follow', workspace: 'ws', token: 'token', after: 0 },
    ]);
    sockets[1]?.say({ type: 'events', events: [entry(1)], cursor: 1 });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(499);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
    fail = false;
    sockets[2]?.onopen?.();
    sockets[2]?.say({ type: 'events', events: [entry(1), entry(2)], cursor: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(stored).toEqual([1, 2]);
    expect(f.cursor).toBe(2);
    f.stop();
  });

  it('says the relay refused the workspace, and stops trying once stopped', async () => {
    vi.useFakeTimers();
    const { f, sockets, statuses } = follower(() => Promise.resolve());
    f.start();
    sockets[0]?.onopen?.();
    sockets[0]?.say({ type: 'error', error: 'unauthorized', message: 'wrong read token' });
    sockets[0]?.close();
    expect(statuses).toEqual(['connecting', 'refused']);
    f.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
  });
});
