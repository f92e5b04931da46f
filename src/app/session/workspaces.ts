/**
 * Creating a workspace in the browser (ids, team secret, intake key pair, the member's key),
 * and joining one from an invite (the member's key only: the rest comes from the team).
 */
import Dexie from 'dexie';
import { randomId } from '../../core/bytes.ts';
import { databaseName } from '../../core/names.ts';
import { boxKeyText, generateBoxKeys } from '../../core/member-box.ts';
import { generateIntakeKeyPair } from '../../core/seal.ts';
import type { Invite } from '../../core/invite.ts';
import { publicKeyOf, record as recordClaim, workspaceIdOf } from '../../core/ledger.ts';
import { newTeamSecret } from '../../core/team-keys.ts';
import { localDb, WorkspaceDb, type WorkspaceRecord } from '../../data/db.ts';
import { DocStore } from '../../team/doc-store.ts';

export interface NewWorkspace {
  name: string;
  memberName: string;
  relayUrl: string;
}

export async function createWorkspace(input: NewWorkspace): Promise<WorkspaceRecord> {
  const key = await memberKey();
  // The owner's key is the root of trust, and the workspace id names it.
  const ownerKey = publicKeyOf(key.signingPublicKey);
  const id = await workspaceIdOf(ownerKey);
  const teamSecret = newTeamSecret();
  const intake = await generateIntakeKeyPair();
  const record: WorkspaceRecord = {
    id,
    name: input.name,
    teamSecret,
    relayUrl: input.relayUrl,
    memberId: randomId(16),
    memberName: input.memberName,
    ...key,
    intakePublicKey: intake.publicKey,
    createdAt: Date.now(),
    registered: false,
  };
  const db = new WorkspaceDb(id);
  const store = await DocStore.open(db);
  const signer = {
    workspace: id,
    memberId: record.memberId,
    privateKey: key.signingKey.privateKey,
  };
  await recordClaim(store.doc, signer, {
    kind: 'member',
    member: record.memberId,
    name: input.memberName,
    role: 'owner',
    key: ownerKey,
    box: await boxKeyText(key.boxKey.publicKey),
    at: record.createdAt,
  });
  // The workspace's own data, signed by its owner: nobody else can replace it.
  await recordClaim(store.doc, signer, {
    kind: 'setting',
    name: 'workspace',
    value: {
      name: input.name,
      intakePublicKey: intake.publicKey,
      intakePrivateKey: intake.privateKey,
      createdAt: record.createdAt,
    },
    at: record.createdAt + 1,
  });
  await store.flush();
  store.destroy();
  db.close();
  // The team worker registers it with the relay as soon as the workspace opens.
  await localDb.workspaces.put(record);
  return record;
}

/**
 * The member's own keys: signing, and the box a changed team secret is sealed to. Extractable
 * so that the member can put them in a passphrase-encrypted backup (see backup-file.ts) — the
 * owner's signing key is the workspace's root of trust, and a lost laptop must not lose it;
 * they leave the browser no other way.
 */
async function memberKey(): Promise<
  Pick<WorkspaceRecord, 'signingKey' | 'signingPublicKey'> & { boxKey: CryptoKeyPair }
> {
  const signingKey = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  return {
    signingKey,
    signingPublicKey: await crypto.subtle.exportKey('jwk', signingKey.publicKey),
    // And the key a changed team secret is sealed to (see core/member-box.ts).
    boxKey: await generateBoxKeys(),
  };
}

/**
 * Joins from an invite; the workspace's data arrives once the session opens. A workspace this
 * browser is already in opens as it is; one it is still joining takes the new link's secret
 * and relay (the last link may have been the wrong one).
 */
export async function joinWorkspace(invite: Invite, memberName: string): Promise<WorkspaceRecord> {
  const known = await localDb.workspaces.get(invite.workspace);
  if (known?.intakePublicKey) return known;
  if (known) {
    const retried = { ...known, teamSecret: invite.secret, relayUrl: invite.relay, memberName };
    await localDb.workspaces.put(retried);
    return retried;
  }
  const record: WorkspaceRecord = {
    id: invite.workspace,
    name: invite.name,
    teamSecret: invite.secret,
    relayUrl: invite.relay,
    memberId: randomId(16),
    memberName,
    ...(await memberKey()),
    intakePublicKey: '',
    createdAt: Date.now(),
    // The owner registered the workspace with the relay when creating it.
    registered: true,
  };
  await localDb.workspaces.put(record);
  return record;
}

/** Forgets a workspace this browser could not join: its record and its database. */
export async function forgetWorkspace(id: string): Promise<void> {
  await localDb.workspaces.delete(id);
  await Dexie.delete(databaseName.workspace(id));
}

/** The tag a site owner pastes into their pages. */
export function installSnippet(record: WorkspaceRecord, widgetSrc: string): string {
  return (
    `<script async src="${widgetSrc}" data-workspace="${record.id}" ` +
    `data-key="${record.intakePublicKey}" data-relay="${record.relayUrl}"></script>`
  );
}
