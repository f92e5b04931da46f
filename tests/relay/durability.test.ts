/**
 * "Ack = durable": the relay is killed with SIGKILL while intake requests are in flight; after a
 * restart on the same data directory every acknowledged event is in the log, exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { IntakeResponse } from '../../src/core/relay-protocol.ts';
import {
  items,
  newWorkspace,
  postIntake,
  readAll,
  removeDir,
  spawnRelay,
  stopAllRelays,
  UNLIMITED,
  type RelayProcess,
} from './helpers.ts';

const FAST = UNLIMITED;

describe('durability', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await stopAllRelays();
    await Promise.all(dirs.map(removeDir));
  });

  it('keeps every acknowledged event across kill -9 during a stream of intake', async () => {
    let relay: RelayProcess = await spawnRelay({ env: FAST });
    dirs.push(relay.dataDir);
    const { workspace, token } = await newWorkspace(relay.url);
    const acked = new Set<string>();
    let failedInFlight = 0;

    for (let round = 0; round < 2; round++) {
      const url = relay.url;
      let stop = false;
      // Eight clients, each posting batches back to back until the relay dies under them.
      const client = async (): Promise<void> => {
        while (!stop) {
          const batch = items(1 + Math.floor(Math.random() * 20));
          try {
            const answer = await postIntake(url, workspace, batch);
            if (answer.status === 200) {
              const body = answer.body as IntakeResponse;
              expect(body.accepted + body.duplicates).toBe(batch.length);
              for (const e of batch) acked.add(e.id);
            } else {
              throw new Error(`unexpected ${answer.status}: ${answer.text}`);
            }
          } catch (err) {
            if ((err as Error).message.startsWith('unexpected')) throw err;
            failedInFlight++; // connection reset / refused: the relay is gone
            return;
          }
        }
      };
      const clients = Array.from({ length: 8 }, client);
      const before = acked.size;
      await new Promise((ok) => setTimeout(ok, 700));
      await relay.stop('SIGKILL');
      stop = true;
      await Promise.all(clients);
      expect(acked.size).toBeGreaterThan(before + 100);

      relay = await spawnRelay({ env: FAST, dataDir: relay.dataDir });
      const log = await readAll(relay.url, workspace, token);
      const ids = log.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length); // no duplicates
      const present = new Set(ids);
      const missing = [...acked].filter((id) => !present.has(id));
      expect(missing).toEqual([]);
      for (let i = 1; i < log.length; i++) {
        expect(log[i]?.seq).toBeGreaterThan(log[i - 1]?.seq ?? Infinity);
      }
    }
    // The kills really did cut requests off mid-flight.
    expect(failedInFlight).toBeGreaterThan(0);
    expect(relay.stderr()).not.toMatch(/uncaught/);
    await relay.stop();
  });

  it('refuses to start a second relay on a data directory in use', async () => {
    const relay = await spawnRelay({ env: FAST });
    dirs.push(relay.dataDir);
    const { workspace, token } = await newWorkspace(relay.url);
    await expect(spawnRelay({ env: FAST, dataDir: relay.dataDir })).rejects.toThrow(
      /exited with 1.*in use by another relay/s,
    );
    // The first one is unaffected.
    expect((await postIntake(relay.url, workspace, items(2))).status).toBe(200);
    expect(await readAll(relay.url, workspace, token)).toHaveLength(2);
    await relay.stop();
  });

  it('re-posting after a restart is harmless, and a graceful stop keeps everything', async () => {
    let relay = await spawnRelay({ env: FAST });
    dirs.push(relay.dataDir);
    const { workspace, token } = await newWorkspace(relay.url);
    const batch = items(30);
    expect((await postIntake(relay.url, workspace, batch)).status).toBe(200);
    await relay.stop('SIGTERM');
    expect(relay.child.exitCode).toBe(0);

    relay = await spawnRelay({ env: FAST, dataDir: relay.dataDir });
    const again = await postIntake(relay.url, workspace, batch);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ accepted: 0, duplicates: 30 });
    const log = await readAll(relay.url, workspace, token);
    expect(log.map((e) => e.id)).toEqual(batch.map((e) => e.id));
    await relay.stop();
  });
});
