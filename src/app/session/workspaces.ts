/** Creating a workspace in the browser: ids, team secret, intake key pair, the member's key. */
import { randomId } from '../../core/bytes.ts';
import { generateIntakeKeyPair } from '../../core/seal.ts';
import { writeWorkspaceInfo } from '../../core/team-doc.ts';
import { newTeamSecret, readToken, sha256Hex } from '../../core/team-keys.ts';
import { localDb, WorkspaceDb, type WorkspaceRecord } from '../../data/db.ts';
import { DocStore } from './doc-store.ts';
import { registerWorkspace } from './relay-client.ts';

export interface NewWorkspace {
  name: string;
  memberName: string;
  relayUrl: string;
}

export async function createWorkspace(input: NewWorkspace): Promise<WorkspaceRecord> {
  const id = randomId(16);
  const teamSecret = newTeamSecret();
  const intake = await generateIntakeKeyPair();
  const signingKey = await crypto.subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign', 'verify'],
  );
  const record: WorkspaceRecord = {
    id,
    name: input.name,
    teamSecret,
    relayUrl: input.relayUrl,
    memberId: randomId(16),
    memberName: input.memberName,
    signingKey,
    signingPublicKey: await crypto.subtle.exportKey('jwk', signingKey.publicKey),
    intakePublicKey: intake.publicKey,
    createdAt: Date.now(),
    registered: false,
  };
  const db = new WorkspaceDb(id);
  const store = await DocStore.open(db);
  writeWorkspaceInfo(store.doc, {
    name: input.name,
    intakePublicKey: intake.publicKey,
    intakePrivateKey: intake.privateKey,
    createdAt: record.createdAt,
  });
  await store.flush();
  store.destroy();
  db.close();
  // Register now so the widget works at once; a relay that is down is retried on open.
  try {
    await registerWorkspace(record.relayUrl, {
      workspace: id,
      readTokenHash: await sha256Hex(await readToken(teamSecret)),
    });
    record.registered = true;
  } catch {
    record.registered = false;
  }
  await localDb.workspaces.put(record);
  return record;
}

/** The tag a site owner pastes into their pages. */
export function installSnippet(record: WorkspaceRecord, widgetSrc: string): string {
  return (
    `<script async src="${widgetSrc}" data-workspace="${record.id}" ` +
    `data-key="${record.intakePublicKey}" data-relay="${record.relayUrl}"></script>`
  );
}
