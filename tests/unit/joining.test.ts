/**
 * Joining from an invite: the relay snapshot is fetched, and fetched again later and later
 * while the relay cannot be reached or holds none; a refused link stops at once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CodedError } from '../../src/contracts/errors.ts';
import type { JoinStage } from '../../src/contracts/team.ts';
import { fetchOnJoin } from '../../src/team/joining.ts';
import { RelayError } from '../../src/team/relay-client.ts';

const timers = {
  setTimeout: (run: () => void, ms: number) => setTimeout(run, ms),
  clearTimeout: (handle: unknown) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
const clock = { now: () => Date.now() };

function start(restore: () => Promise<unknown>, joined = () => false) {
  const stages: JoinStage[] = [];
  const calls = vi.fn(restore);
  const join = fetchOnJoin({
    restore: calls,
    joined,
    report: (stage) => stages.push(stage),
    clock,
    timers,
  });
  return { stages, calls, join };
}

describe('fetchOnJoin', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stops at once on a link the relay refuses', async () => {
    const { stages, calls } = start(() =>
      Promise.reject(new RelayError(401, 'unauthorized', 'wrong read token')),
    );
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(stages.map((s) => s.stage)).toEqual(['fetching', 'refused']);
  });

  it('retries an unreachable relay later and later, saying when, until it answers', async () => {
    let down = 5;
    const { stages, calls } = start(() =>
      down-- > 0
        ? Promise.reject(new RelayError(0, 'network', 'Failed to fetch'))
        : Promise.resolve({ doc: [] }),
    );
    const started = Date.now();
    await vi.advanceTimersByTimeAsync(0);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const last = stages[stages.length - 1];
      if (last?.stage !== 'retrying') throw new Error(`not retrying: ${JSON.stringify(last)}`);
      expect(last.failure.code).toBe('network');
      waits.push(last.retryAt - Date.now());
      await vi.advanceTimersByTimeAsync(last.retryAt - Date.now());
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(calls).toHaveBeenCalledTimes(6);
    expect(stages[stages.length - 1]).toEqual({ stage: 'fetching' });
    expect(Date.now() - started).toBe(31_000);
    // Loaded: nothing more is asked.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toHaveBeenCalledTimes(6);
  });

  it('waits for the team when the relay holds no snapshot, and looks again', async () => {
    let none = 2;
    const { stages, calls } = start(() => Promise.resolve(none-- > 0 ? undefined : { doc: [] }));
    await vi.advanceTimersByTimeAsync(0);
    expect(stages).toEqual([{ stage: 'fetching' }, { stage: 'waiting_for_team' }]);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(calls).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(calls).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveBeenCalledTimes(3);
  });

  it('stops when a teammate brought the workspace first, or the workspace closed', async () => {
    let joined = false;
    const first = start(
      () => Promise.reject(new CodedError('unavailable', 'restarting')),
      () => joined,
    );
    await vi.advanceTimersByTimeAsync(0);
    joined = true;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(first.calls).toHaveBeenCalledTimes(1);

    const second = start(() => Promise.reject(new RelayError(503, 'busy', 'busy')));
    await vi.advanceTimersByTimeAsync(0);
    second.join.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(second.calls).toHaveBeenCalledTimes(1);
  });
});
