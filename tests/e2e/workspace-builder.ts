/**
 * Builds a large workspace outside the browser, the way an owner's app would have left it on
 * the relay: registered, its intake log holding the visitors' events, and its encrypted
 * snapshot (team doc and visitors' facts up to the log's end) stored. Returns the invite link a
 * new member opens. Used by the large-workspace test and the benchmarks.
 *
 * Sealing a million events as the widget does would take this process most of an hour, and
 * nobody reads them — the snapshot covers the log — so the log holds placeholders of the right
 * shape (the relay cannot tell: it never reads what it stores), each at the position its event
 * has in the snapshot's facts. The relay's intake rate limit must allow the burst.
 */
import * as Y from 'yjs';
import { randomId } from '../../src/core/bytes.ts';
import { encodeSegment, type LoggedPageView } from '../../src/core/facts.ts';
import { encodeInvite } from '../../src/core/invite.ts';
import { publicKeyOf, record, workspaceIdOf, type Signer } from '../../src/core/ledger.ts';
import type { LogPage } from '../../src/core/relay-protocol.ts';
import { generateIntakeKeyPair } from '../../src/core/seal.ts';
import { encryptSnapshot } from '../../src/core/snapshot.ts';
import { assignments, TagIndex } from '../../src/core/team-doc.ts';
import { newTeamSecret, readToken, sha256Hex, snapshotKey } from '../../src/core/team-keys.ts';
import { pageView } from '../page-view.ts';

const SOURCES = ['google', 'linkedin', 'newsletter', 'producthunt', ''];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Europe/Paris'];
/** What the log holds in place of a sealed event (see above). */
const PLACEHOLDER = 's1.cGxhY2Vob2xkZXI.cGxhY2Vob2xkZXI.cGxhY2Vob2xkZXI';
const SEGMENT_EVENTS = 5_000;

export interface BuiltWorkspace {
  workspace: string;
  /** For sealing more visits to it, as the widget would. */
  intakePublicKey: string;
  ownerId: string;
  /** Signs team records as the owner (to promote a member, say). */
  owner: Signer;
  name: string;
  inviteLink: string;
  leads: number;
  events: number;
  docBytes: number;
  snapshotBytes: number;
}

export const builtVisitor = (i: number): string => `visitor${String(i).padStart(12, '0')}`;

/**
 * The page views of lead i, `step` ms after lead i − 1: a landing page, and /pricing a minute
 * later for every third.
 */
function viewsOf(i: number, start: number, step: number): ReturnType<typeof pageView>[] {
  const visitorId = builtVisitor(i);
  const source = SOURCES[i % SOURCES.length] ?? '';
  const query = source ? `?utm_source=${source}&utm_medium=cpc` : '';
  const paths = i % 3 === 0 ? ['/', '/pricing'] : ['/'];
  return paths.map((path, n) =>
    pageView({
      id: `${visitorId}e${String(n)}`,
      visitorId,
      at: start + i * step + n * 60_000,
      url: `https://shop.example${path}${n === 0 ? query : ''}`,
      title: path,
      nav: n === 0 ? 'load' : 'spa',
      tz: ZONES[i % ZONES.length] ?? 'UTC',
      languages: ['en-US'],
    }),
  );
}

async function post(url: URL, init: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  if (!res.ok)
    throw new Error(`${init.method ?? 'GET'} ${url.pathname}: ${res.status} ${await res.text()}`);
  return res;
}

export async function buildWorkspace(options: {
  appUrl: string;
  relayUrl: string;
  leads: number;
  name?: string;
  /** Every n-th lead assigned to the owner, tagged "vip", tagged "enterprise". */
  assignEvery?: number;
  vipEvery?: number;
  enterpriseEvery?: number;
}): Promise<BuiltWorkspace> {
  const owner = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]);
  const ownerKey = publicKeyOf(await crypto.subtle.exportKey('jwk', owner.publicKey));
  const workspace = await workspaceIdOf(ownerKey);
  const secret = newTeamSecret();
  const token = await readToken(secret);
  const name = options.name ?? `Big ${options.leads}`;
  const intake = await generateIntakeKeyPair();
  const doc = new Y.Doc();
  const ownerId = randomId();
  const signer = { workspace, memberId: ownerId, privateKey: owner.privateKey };
  const createdAt = Date.now();
  await record(doc, signer, {
    kind: 'member',
    member: ownerId,
    name: 'Ada',
    role: 'owner',
    key: ownerKey,
    at: createdAt,
  });
  await record(doc, signer, {
    kind: 'setting',
    name: 'workspace',
    value: {
      name,
      intakePublicKey: intake.publicKey,
      intakePrivateKey: intake.privateKey,
      createdAt,
    },
    at: createdAt + 1,
  });
  // Written as an owner's app leaves them: one member's edits, one after another.
  const assigned: [string, { to: string }][] = [];
  const tagged: [string, string][] = [];
  for (let i = 0; i < options.leads; i++) {
    const id = builtVisitor(i);
    if (options.assignEvery && i % options.assignEvery === 0) assigned.push([id, { to: ownerId }]);
    if (options.vipEvery && i % options.vipEvery === 0) tagged.push([id, 'vip']);
    if (options.enterpriseEvery && i % options.enterpriseEvery === 0) {
      tagged.push([id, 'enterprise']);
    }
  }
  doc.transact(() => {
    assignments(doc).setAll(assigned);
    new TagIndex(doc).addAll(tagged);
  });

  const relay = options.relayUrl;
  await post(new URL('/v1/workspaces', relay), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workspace, readTokenHash: await sha256Hex(token) }),
  });

  // The log: one placeholder per event, in order, a few requests at a time.
  // Every lead first seen within the last three days, none in the future, however many.
  const start = Date.now() - 3 * 86_400_000;
  const step = Math.min(1_000, Math.floor((2 * 86_400_000) / options.leads));
  const ids: string[] = [];
  for (let i = 0; i < options.leads; i++) for (const v of viewsOf(i, start, step)) ids.push(v.id);
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += 50) batches.push(ids.slice(i, i + 50));
  let next = 0;
  const intakeUrl = new URL(`/v1/intake/${workspace}`, relay);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let b = next++; b < batches.length; b = next++) {
        const events = (batches[b] ?? []).map((id) => ({ id, sealed: PLACEHOLDER }));
        await post(intakeUrl, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ events }),
        });
      }
    }),
  );
  // Where each landed, read back as a member reads the log.
  const seqOf = new Map<string, number>();
  let cursor = 0;
  for (;;) {
    const page = (await (
      await post(
        new URL(`/v1/workspaces/${workspace}/log?after=${String(cursor)}&limit=500`, relay),
        {
          headers: { authorization: `Bearer ${token}` },
        },
      )
    ).json()) as LogPage;
    for (const e of page.events) seqOf.set(e.id, e.seq);
    cursor = page.cursor;
    if (!page.more) break;
  }

  // The facts, in log order, in segments as a browser keeps them.
  const logged: LoggedPageView[] = [];
  for (let i = 0; i < options.leads; i++) {
    for (const v of viewsOf(i, start, step)) logged.push({ ...v, seq: seqOf.get(v.id) ?? 0 });
  }
  logged.sort((a, b) => a.seq - b.seq);
  const facts: Uint8Array[] = [];
  for (let i = 0; i < logged.length; i += SEGMENT_EVENTS) {
    facts.push(await encodeSegment(logged.slice(i, i + SEGMENT_EVENTS)));
  }
  const update = new Uint8Array(Y.encodeStateAsUpdate(doc));
  const sealed = await encryptSnapshot(await snapshotKey(secret), workspace, {
    cursor,
    doc: [update],
    facts,
  });
  await post(new URL(`/v1/workspaces/${workspace}/snapshot`, relay), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: sealed,
  });

  const code = encodeInvite({ workspace, name, relay, secret });
  return {
    workspace,
    intakePublicKey: intake.publicKey,
    ownerId,
    owner: signer,
    name,
    inviteLink: `${options.appUrl}/#/join/${code}`,
    leads: options.leads,
    events: logged.length,
    docBytes: update.length,
    snapshotBytes: sealed.length,
  };
}
