/**
 * Backup files of a workspace (the format is core/backup.ts): made from what this browser
 * stores — read in one transaction, so the doc, the facts and their cursor agree — and restored
 * into a browser that does not have the workspace yet, as the member who made the file. The
 * restored workspace opens like one this browser always had; teammates and the relay log bring
 * what happened since the file was made.
 */
import { CodedError } from '../../contracts/errors.ts';
import {
  BackupUnreadable,
  decryptBackup,
  encryptBackup,
  PASSPHRASE_MIN,
} from '../../core/backup.ts';
import { localDb, readMeta, WorkspaceDb, type WorkspaceRecord } from '../../data/db.ts';

const SIGNING = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const BOX = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** Steps of making or restoring a backup, for a progress bar. */
export type BackupStep = 'reading' | 'encrypting' | 'decrypting' | 'writing';

function checkPassphrase(passphrase: string): void {
  if (passphrase.length < PASSPHRASE_MIN) {
    throw new CodedError(
      'backup_passphrase',
      `the passphrase must have at least ${String(PASSPHRASE_MIN)} characters`,
    );
  }
}

/** The workspace as this browser stores it, encrypted with the passphrase. */
export async function makeBackup(
  record: WorkspaceRecord,
  passphrase: string,
  step: (step: BackupStep) => void = () => {},
): Promise<Uint8Array<ArrayBuffer>> {
  checkPassphrase(passphrase);
  let signingPrivateKey: JsonWebKey;
  let box: { boxPrivateKey: JsonWebKey; boxPublicKey: JsonWebKey } | undefined;
  try {
    signingPrivateKey = await crypto.subtle.exportKey('jwk', record.signingKey.privateKey);
    if (record.boxKey) {
      box = {
        boxPrivateKey: await crypto.subtle.exportKey('jwk', record.boxKey.privateKey),
        boxPublicKey: await crypto.subtle.exportKey('jwk', record.boxKey.publicKey),
      };
    }
  } catch {
    throw new CodedError('backup_key', 'this browser’s signing key cannot be exported');
  }
  step('reading');
  const db = new WorkspaceDb(record.id);
  try {
    const contents = await db.transaction('r', db.updates, db.facts, db.meta, async () => ({
      cursor: await readMeta(db, 'cursor', 0),
      doc: (await db.updates.toArray()).map((row) => row.update),
      facts: (await db.facts.toArray()).map((segment) => segment.bytes),
    }));
    step('encrypting');
    return await encryptBackup(
      {
        member: {
          workspace: record.id,
          name: record.name,
          teamSecret: record.teamSecret,
          relayUrl: record.relayUrl,
          memberId: record.memberId,
          memberName: record.memberName,
          signingPrivateKey,
          signingPublicKey: record.signingPublicKey,
          ...box,
          intakePublicKey: record.intakePublicKey,
          createdAt: record.createdAt,
        },
        contents,
      },
      passphrase,
    );
  } finally {
    db.close();
  }
}

/** Restores a backup file into this browser; changes nothing when it cannot. */
export async function restoreBackup(
  file: Uint8Array<ArrayBuffer>,
  passphrase: string,
  step: (step: BackupStep) => void = () => {},
): Promise<WorkspaceRecord> {
  step('decrypting');
  let backup;
  try {
    backup = await decryptBackup(file, passphrase);
  } catch (err) {
    if (err instanceof BackupUnreadable) throw new CodedError(`backup_${err.reason}`, err.message);
    throw err;
  }
  const { member, contents } = backup;
  const { boxPrivateKey, boxPublicKey } = member;
  if (await localDb.workspaces.get(member.workspace)) {
    throw new CodedError('backup_here', 'this browser already has the workspace');
  }
  const signingKey: CryptoKeyPair = {
    // Extractable, so that this browser can make backups in turn.
    privateKey: await crypto.subtle.importKey('jwk', member.signingPrivateKey, SIGNING, true, [
      'sign',
    ]),
    publicKey: await crypto.subtle.importKey('jwk', member.signingPublicKey, SIGNING, true, [
      'verify',
    ]),
  };
  const boxKey: CryptoKeyPair | undefined =
    boxPrivateKey && boxPublicKey
      ? {
          privateKey: await crypto.subtle.importKey('jwk', boxPrivateKey, BOX, true, [
            'deriveBits',
          ]),
          publicKey: await crypto.subtle.importKey('jwk', boxPublicKey, BOX, true, []),
        }
      : undefined;
  step('writing');
  const db = new WorkspaceDb(member.workspace);
  try {
    await db.transaction('rw', db.updates, db.meta, async () => {
      await db.updates.bulkAdd(contents.doc.map((update) => ({ update })));
      // The facts are taken in when the workspace opens, as a relay snapshot's are (see
      // Leader.start): checked, stored, and folded into leads.
      await db.meta.put({
        key: 'restoring',
        value: { cursor: contents.cursor, segments: contents.facts },
      });
    });
  } finally {
    db.close();
  }
  const record: WorkspaceRecord = {
    id: member.workspace,
    name: member.name,
    teamSecret: member.teamSecret,
    relayUrl: member.relayUrl,
    memberId: member.memberId,
    memberName: member.memberName,
    signingKey,
    signingPublicKey: member.signingPublicKey,
    ...(boxKey ? { boxKey } : {}),
    intakePublicKey: member.intakePublicKey,
    createdAt: member.createdAt,
    registered: true,
  };
  await localDb.workspaces.put(record);
  return record;
}
