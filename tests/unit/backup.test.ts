/**
 * The backup file format (core/backup.ts): what goes in comes out with the right passphrase;
 * a wrong passphrase, a changed byte, a file that is no backup or a hostile header are refused
 * with their own reason, and nothing is returned.
 */
import { describe, expect, it } from 'vitest';
import {
  BackupUnreadable,
  decryptBackup,
  encryptBackup,
  KDF_ITERATIONS,
  type Backup,
} from '../../src/core/backup.ts';

/** Fewer rounds than a real file (the lowest a file may claim): the tests stay quick. */
const FAST = 100_000;

const BACKUP: Backup = {
  member: {
    workspace: 'ws_abcdefghijklmnop',
    name: 'Acme',
    teamSecret: 'secret_abcdefghijklmnopqrstuvwxyz',
    relayUrl: 'https://relay.example',
    memberId: 'member_abcdefghij',
    memberName: 'Ada',
    signingPrivateKey: { kty: 'EC', crv: 'P-256', d: 'dd', x: 'xx', y: 'yy' },
    signingPublicKey: { kty: 'EC', crv: 'P-256', x: 'xx', y: 'yy' },
    intakePublicKey: 'intake-key',
    createdAt: 1_700_000_000_000,
  },
  contents: {
    cursor: 4_242,
    doc: [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])],
    facts: [new Uint8Array([9, 9, 9, 9])],
  },
};

async function reason(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (err) {
    if (err instanceof BackupUnreadable) return err.reason;
    throw err;
  }
  return 'opened';
}

describe('backup files', () => {
  it('round-trips the member, the doc, the facts and the cursor', async () => {
    const file = await encryptBackup(BACKUP, 'correct horse battery', FAST);
    expect(await decryptBackup(file, 'correct horse battery')).toEqual(BACKUP);
  });

  it('uses the KDF strength current guidance asks for (PBKDF2-SHA256, 600,000 rounds)', () => {
    expect(KDF_ITERATIONS).toBeGreaterThanOrEqual(600_000);
  });

  it('each file has its own salt and iv: the same backup never encrypts the same way', async () => {
    const a = await encryptBackup(BACKUP, 'correct horse battery', FAST);
    const b = await encryptBackup(BACKUP, 'correct horse battery', FAST);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('refuses a wrong passphrase', async () => {
    const file = await encryptBackup(BACKUP, 'correct horse battery', FAST);
    expect(await reason(decryptBackup(file, 'correct horse batterY'))).toBe('wrong_passphrase');
  });

  it('refuses a file with one byte changed, in the contents or in the header', async () => {
    const file = await encryptBackup(BACKUP, 'correct horse battery', FAST);
    const body = file.slice();
    body[body.length - 20] = (body[body.length - 20] ?? 0) ^ 1;
    expect(await reason(decryptBackup(body, 'correct horse battery'))).toBe('wrong_passphrase');
    const salt = file.slice();
    salt[10] = (salt[10] ?? 0) ^ 1;
    expect(await reason(decryptBackup(salt, 'correct horse battery'))).toBe('wrong_passphrase');
  });

  it('refuses what is no backup, and a header asking for absurd work', async () => {
    const text = new TextEncoder().encode('name,stage\nRosa,L2\n'.repeat(10));
    expect(await reason(decryptBackup(text, 'whatever passphrase'))).toBe('not_backup');
    const file = await encryptBackup(BACKUP, 'correct horse battery', FAST);
    const greedy = file.slice();
    new DataView(greedy.buffer).setUint32(4, 4_000_000_000);
    expect(await reason(decryptBackup(greedy, 'correct horse battery'))).toBe('damaged');
  });
});
