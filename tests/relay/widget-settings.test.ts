/**
 * Published widget settings: a member stores the signed chain with the read token; anyone reads
 * it back exactly (the widget has no credentials); it survives a restart; and every refusal is
 * a JSON error. The relay cannot forge a chain — the widget verifies it (widget-chain tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_LIMITS } from '../../src/core/relay-protocol.ts';
import { call, newWorkspace, spawnRelay, stopAllRelays, type RelayProcess } from './helpers.ts';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await spawnRelay();
});
afterAll(stopAllRelays);

const put = (base: string, ws: string, token: string | undefined, body: string) =>
  call(base, 'PUT', `/v1/workspaces/${ws}/widget`, body, {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });
const get = (base: string, ws: string) => call(base, 'GET', `/v1/workspaces/${ws}/widget`);

describe('published widget settings', () => {
  it('a member publishes, anyone reads the same chain back, and it survives a restart', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    expect((await get(relay.url, workspace)).body).toMatchObject({ error: 'no_widget_settings' });
    const chain = { entries: [['id1', { by: 'ada', claim: '{"kind":"member"}', sig: 'x' }]] };
    const stored = await put(relay.url, workspace, token, JSON.stringify(chain));
    expect(stored.status).toBe(200);
    const read = await get(relay.url, workspace);
    expect(read.status).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBe('*');
    expect(read.body).toEqual(chain);

    const replaced = { entries: [] };
    await put(relay.url, workspace, token, JSON.stringify(replaced));
    await relay.stop('SIGKILL');
    relay = await spawnRelay({ dataDir: relay.dataDir });
    expect((await get(relay.url, workspace)).body).toEqual(replaced);
  });

  it('refuses a stranger, a wrong token, a body that is not an object and one too large', async () => {
    const { workspace, token } = await newWorkspace(relay.url);
    const cases: [string | undefined, string, number, string][] = [
      [undefined, '{}', 401, 'unauthorized'],
      ['not-the-token-at-all-000', '{}', 401, 'unauthorized'],
      [token, '[1,2]', 400, 'invalid_body'],
      [token, 'null', 400, 'invalid_body'],
      [token, '{"entries":', 400, 'invalid_json'],
      [
        token,
        JSON.stringify({ pad: 'x'.repeat(RELAY_LIMITS.maxWidgetBytes) }),
        413,
        'body_too_large',
      ],
    ];
    for (const [credential, body, status, error] of cases) {
      const answer = await put(relay.url, workspace, credential, body);
      expect({ status: answer.status, error: answer.body }).toMatchObject({
        status,
        error: { error },
      });
    }
    expect((await get(relay.url, workspace)).status).toBe(404);
    expect((await get(relay.url, 'no-such-workspace-0000')).body).toMatchObject({
      error: 'unknown_workspace',
    });
    expect((await call(relay.url, 'DELETE', `/v1/workspaces/${workspace}/widget`)).status).toBe(
      405,
    );
  });
});
