/**
 * Builds a large workspace outside the browser, the way an owner's app would have left it on
 * the relay: registered, with its encrypted team snapshot stored. Returns the invite link a
 * new member opens. Used by the large-workspace test and the team-sync benchmark.
 */
import * as Y from 'yjs';
import { randomId } from '../../src/core/bytes.ts';
import type { PageView } from '../../src/core/capture.ts';
import { encodeInvite } from '../../src/core/invite.ts';
import { generateIntakeKeyPair } from '../../src/core/seal.ts';
import { encryptSnapshot } from '../../src/core/snapshot.ts';
import { addPageViews, assignLead, TagIndex } from '../../src/core/team-doc.ts';
import { publicKeyOf, record, workspaceIdOf, type Signer } from '../../src/core/ledger.ts';
import { newTeamSecret, readToken, sha256Hex, snapshotKey } from '../../src/core/team-keys.ts';

const UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SOURCES = ['google', 'linkedin', 'newsletter', 'producthunt', ''];
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Europe/Paris'];

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
  docBytes: number;
  snapshotBytes: number;
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
  const start = Date.now() - 3 * 86_400_000;
  for (let from = 0; from < options.leads; from += 5_000) {
    const batch: PageView[] = [];
    for (let i = from; i < Math.min(options.leads, from + 5_000); i++) {
      const visitorId = `visitor${String(i).padStart(12, '0')}`;
      const source = SOURCES[i % SOURCES.length] ?? '';
      const query = source ? `?utm_source=${source}&utm_medium=cpc` : '';
      for (const [n, path] of ['/', '/pricing'].entries()) {
        if (n === 1 && i % 3 !== 0) continue;
        batch.push({
          kind: 'pageview',
          id: `${visitorId}e${n}`,
          visitorId,
          at: start + i * 1_000 + n * 60_000,
          url: `https://shop.example${path}${n === 0 ? query : ''}`,
          title: path,
          referrer: '',
          nav: n === 0 ? 'load' : 'spa',
          tz: ZONES[i % ZONES.length] ?? 'UTC',
          languages: ['en-US'],
          ua: UA,
          screen: [1920, 1080],
          viewport: [1280, 800],
        });
      }
    }
    addPageViews(doc, batch);
  }
  const tagIndex = new TagIndex(doc);
  doc.transact(() => {
    for (let i = 0; i < options.leads; i++) {
      const visitorId = `visitor${String(i).padStart(12, '0')}`;
      if (options.assignEvery && i % options.assignEvery === 0) {
        assignLead(doc, visitorId, ownerId, ownerId);
      }
      if (options.vipEvery && i % options.vipEvery === 0) tagIndex.add(visitorId, 'vip', ownerId);
      if (options.enterpriseEvery && i % options.enterpriseEvery === 0) {
        tagIndex.add(visitorId, 'enterprise', ownerId);
      }
    }
  });
  const update = new Uint8Array(Y.encodeStateAsUpdate(doc));
  const sealed = await encryptSnapshot(await snapshotKey(secret), workspace, update);
  const token = await readToken(secret);

  const registered = await fetch(new URL('/v1/workspaces', options.relayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workspace, readTokenHash: await sha256Hex(token) }),
  });
  if (!registered.ok) throw new Error(`register: ${registered.status} ${await registered.text()}`);
  const stored = await fetch(new URL(`/v1/workspaces/${workspace}/snapshot`, options.relayUrl), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: sealed,
  });
  if (!stored.ok) throw new Error(`snapshot: ${stored.status} ${await stored.text()}`);

  const code = encodeInvite({ workspace, name, relay: options.relayUrl, secret });
  return {
    workspace,
    intakePublicKey: intake.publicKey,
    ownerId,
    owner: signer,
    name,
    inviteLink: `${options.appUrl}/#/join/${code}`,
    leads: options.leads,
    docBytes: update.length,
    snapshotBytes: sealed.length,
  };
}
