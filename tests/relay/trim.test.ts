/**
 * Trimming the log (relay/PROTOCOL.md): once the team's snapshot covers the log up to a seq,
 * the relay drops the entries it covers — never one it does not, even across kill -9 — and a
 * reader behind the trim point is told to load the snapshot (410 `log_trimmed`, on HTTP and on
 * the live log). The workspace's quota counts what remains; a trimmed event re-sent by a widget
 * is still a duplicate; a snapshot covering less than what is trimmed is refused.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorBody, IntakeItem } from '../../src/core/relay-protocol.ts';
import {
  call,
  items,
  newWorkspace,
  postIntake,
  readAll,
  removeDir,
  spawnRelay,
  wsUrl,
  WsClient,
  UNLIMITED,
  relayForFile,
} from './helpers.ts';

/** Many events from one address, quickly: the rate limits are raised for these relays. */
const FAST = UNLIMITED;

const relay = await relayForFile({ env: { ...FAST, RELAY_QUOTA_EVENTS: '5000' } });

function putSnapshot(base: string, workspace: string, token: string, covers: number, ifMatch = '') {
  return call(base, 'PUT', `/v1/workspaces/${workspace}/snapshot`, Buffer.from('sealed-snapshot'), {
    authorization: `Bearer ${token}`,
    'content-type': 'application/octet-stream',
    'x-snapshot-covers': String(covers),
    ...(ifMatch ? { 'if-match': ifMatch } : {}),
  });
}

function readLog(base: string, workspace: string, token: string, after: number) {
  return call(base, 'GET', `/v1/workspaces/${workspace}/log?after=${String(after)}`, undefined, {
    authorization: `Bearer ${token}`,
  });
}

async function post(base: string, workspace: string, events: IntakeItem[]): Promise<void> {
  for (let i = 0; i < events.length; i += 50) {
    const answer = await postIntake(base, workspace, events.slice(i, i + 50));
    expect(answer.status).toBe(200);
  }
}

/** Waits until the log reads from `after` (the trimmer works a chunk per turn). */
async function untilTrimmed(base: string, workspace: string, token: string, through: number) {
  for (let i = 0; i < 200; i++) {
    const answer = await readLog(base, workspace, token, through - 1);
    if (answer.status === 410) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('never trimmed');
}

describe('log trimming', () => {
  it('drops what the snapshot covers, keeps the rest, and sends readers behind it to the snapshot', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const first = items(3_000);
    await post(relay.url, workspace, first);
    const log = await readAll(relay.url, workspace, token);
    const covers = log[2_499]?.seq ?? 0;
    expect((await putSnapshot(relay.url, workspace, token, covers)).status).toBe(200);
    await untilTrimmed(relay.url, workspace, token, covers);

    const behind = await readLog(relay.url, workspace, token, 0);
    expect(behind.status).toBe(410);
    expect((behind.body as ErrorBody).error).toBe('log_trimmed');
    expect(behind.headers['x-log-trimmed-through']).toBe(String(covers));
    // From the snapshot's cursor on, every entry it does not cover is there, untouched.
    const rest = await readAll(relay.url, workspace, token, covers);
    expect(rest.map((e) => e.id)).toEqual(log.slice(2_500).map((e) => e.id));
    expect(rest.every((e) => e.sealed.length > 0)).toBe(true);

    // The live log says the same to a follower behind the trim point.
    const client = await WsClient.open(wsUrl(relay.url, '/v1/live'));
    client.send({ type: 'follow', workspace, token, after: 10 });
    await client.until((r) => r.length >= 1);
    expect(client.received[0]).toMatchObject({ type: 'error', error: 'log_trimmed' });
    client.close();

    // A widget re-sending a trimmed event is told it is a duplicate: it is not stored again.
    const again = await postIntake(relay.url, workspace, [first[0] as IntakeItem]);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });

    // Quota counts what remains: 2,500 trimmed of a 5,000 quota leave room for 4,500 more, no
    // more.
    await post(relay.url, workspace, items(4_500));
    expect((await postIntake(relay.url, workspace, items(1))).status).toBe(507);
  });

  it('never trims past the log’s end, whatever a snapshot claims', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    await post(relay.url, workspace, items(10));
    const log = await readAll(relay.url, workspace, token);
    const end = log[log.length - 1]?.seq ?? 0;
    expect((await putSnapshot(relay.url, workspace, token, end + 1_000_000)).status).toBe(200);
    await untilTrimmed(relay.url, workspace, token, end);
    const later = items(5);
    await post(relay.url, workspace, later);
    expect((await readAll(relay.url, workspace, token, end)).map((e) => e.id)).toEqual(
      later.map((e) => e.id),
    );
  });

  it('refuses a snapshot that covers less than what is trimmed', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    await post(relay.url, workspace, items(20));
    const log = await readAll(relay.url, workspace, token);
    const covers = log[9]?.seq ?? 0;
    expect((await putSnapshot(relay.url, workspace, token, covers, '0')).status).toBe(200);
    await untilTrimmed(relay.url, workspace, token, covers);
    const stale = await putSnapshot(relay.url, workspace, token, covers - 5, '1');
    expect(stale.status).toBe(409);
    expect((stale.body as ErrorBody).error).toBe('snapshot_behind');
    expect((await putSnapshot(relay.url, workspace, token, covers + 5, '1')).status).toBe(200);
  });

  it('never drops an entry the snapshot does not cover, across kill -9 mid-trim', async () => {
    const crashy = await spawnRelay({ env: { ...FAST, RELAY_QUOTA_EVENTS: '100000' } });
    const { workspace, token } = await newWorkspace(crashy.url);
    await post(crashy.url, workspace, items(20_000, 100));
    const log = await readAll(crashy.url, workspace, token);
    const covers = log[14_999]?.seq ?? 0;
    expect((await putSnapshot(crashy.url, workspace, token, covers)).status).toBe(200);
    // Killed while the trimmer is still going (it works 2,000 entries per turn).
    await crashy.stop('SIGKILL');
    const again = await spawnRelay({ env: FAST, dataDir: crashy.dataDir });
    // Whatever was trimmed before the kill, what comes after the cover is all there; the
    // trimming goes on after the restart.
    expect((await readAll(again.url, workspace, token, covers)).map((e) => e.id)).toEqual(
      log.slice(15_000).map((e) => e.id),
    );
    await untilTrimmed(again.url, workspace, token, covers);
    expect((await readLog(again.url, workspace, token, covers - 1)).status).toBe(410);
    await again.stop();
    await removeDir(crashy.dataDir);
  }, 60_000);
});
