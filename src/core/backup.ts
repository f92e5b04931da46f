/**
 * A workspace backup: one file, encrypted with a passphrase, holding what a member needs to get
 * the workspace back on a new browser as themselves — their member record with their signing
 * key (for the owner, the workspace's root of trust), the team secret, the team doc, and the
 * visitors' facts up to a log cursor. The rest comes from teammates and the relay log.
 *
 * Format: `CLB1` | KDF iterations (u32, big-endian) | salt (16 bytes) | iv (12 bytes) |
 * AES-GCM(contents), with everything before the iv bound in as additional data. The key is
 * PBKDF2-SHA256 of the passphrase — the slow KDF WebCrypto has — at 600,000 iterations (OWASP's
 * current figure for PBKDF2-HMAC-SHA256); the count is in the header, so a later version may
 * raise it and still read older files. Contents, in lib0's encoding: the member as JSON, then
 * the same contents as the relay snapshot (see snapshot.ts).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as v from 'valibot';
import { utf8 } from './bytes.ts';
import { readContents, writeContents, type SnapshotContents } from './snapshot.ts';

export const KDF_ITERATIONS = 600_000;
/** Shorter passphrases are refused: the file may travel anywhere. */
export const PASSPHRASE_MIN = 10;

const MAGIC = utf8.encode('CLB1');
const HEADER = MAGIC.length + 4 + 16;

/** The member a backup restores, with everything their browser kept of the workspace. */
export interface BackupMember {
  workspace: string;
  name: string;
  teamSecret: string;
  relayUrl: string;
  memberId: string;
  memberName: string;
  signingPrivateKey: JsonWebKey;
  signingPublicKey: JsonWebKey;
  /** The member's box key pair (see member-box.ts), when this browser had one. */
  boxPrivateKey?: JsonWebKey;
  boxPublicKey?: JsonWebKey;
  intakePublicKey: string;
  createdAt: number;
}

const jwk = v.custom<JsonWebKey>((x) => typeof x === 'object' && x !== null, 'not a key');
const memberSchema = v.object({
  workspace: v.string(),
  name: v.string(),
  teamSecret: v.string(),
  relayUrl: v.string(),
  memberId: v.string(),
  memberName: v.string(),
  signingPrivateKey: jwk,
  signingPublicKey: jwk,
  boxPrivateKey: v.optional(jwk),
  boxPublicKey: v.optional(jwk),
  intakePublicKey: v.string(),
  createdAt: v.number(),
}) satisfies v.GenericSchema<unknown, BackupMember>;

export interface Backup {
  member: BackupMember;
  contents: SnapshotContents;
}

/** Why a file could not be read back: each gets its own words in the app. */
export class BackupUnreadable extends Error {
  override name = 'BackupUnreadable';
  constructor(
    readonly reason: 'not_backup' | 'wrong_passphrase' | 'damaged',
    message: string,
  ) {
    super(message);
  }
}

async function passphraseKey(
  passphrase: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    'raw',
    utf8.encode(passphrase.normalize('NFC')),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export async function encryptBackup(
  backup: Backup,
  passphrase: string,
  iterations = KDF_ITERATIONS,
): Promise<Uint8Array<ArrayBuffer>> {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, JSON.stringify(backup.member));
  await writeContents(encoder, backup.contents);
  const plain = encoding.toUint8Array(encoder);
  const header = new Uint8Array(HEADER);
  header.set(MAGIC, 0);
  new DataView(header.buffer).setUint32(MAGIC.length, iterations);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  header.set(salt, MAGIC.length + 4);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await passphraseKey(passphrase, salt, iterations);
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header }, key, plain),
  );
  const out = new Uint8Array(HEADER + iv.length + ct.length);
  out.set(header, 0);
  out.set(iv, HEADER);
  out.set(ct, HEADER + iv.length);
  return out;
}

export async function decryptBackup(
  file: Uint8Array<ArrayBuffer>,
  passphrase: string,
): Promise<Backup> {
  const header = file.subarray(0, HEADER);
  if (file.length < HEADER + 12 + 16 || !MAGIC.every((byte, i) => header[i] === byte)) {
    throw new BackupUnreadable('not_backup', 'not a workspace backup file');
  }
  const iterations = new DataView(file.buffer, file.byteOffset).getUint32(MAGIC.length);
  // A count far beyond what any version writes would make opening the file take hours.
  if (iterations < 100_000 || iterations > 10_000_000) {
    throw new BackupUnreadable('damaged', 'the backup file is damaged');
  }
  const salt = file.slice(MAGIC.length + 4, HEADER);
  const key = await passphraseKey(passphrase, salt, iterations);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: file.subarray(HEADER, HEADER + 12), additionalData: header },
      key,
      file.subarray(HEADER + 12),
    );
  } catch {
    // AES-GCM cannot tell a wrong key from changed bytes.
    throw new BackupUnreadable('wrong_passphrase', 'wrong passphrase, or the file was changed');
  }
  try {
    const decoder = decoding.createDecoder(new Uint8Array(plain));
    const member = v.parse(memberSchema, JSON.parse(decoding.readVarString(decoder)));
    return { member, contents: await readContents(decoder) };
  } catch {
    throw new BackupUnreadable('damaged', 'the backup file is damaged');
  }
}
