/**
 * The workspace as stored on the relay, encrypted: the team doc (its Yjs updates, as the
 * uploader stores them, gzipped) and the visitors' facts up to a log cursor (the fact segments as each browser keeps them,
 * already compressed), so a new member or device loads the whole workspace with no teammate
 * online and reads the intake log only from that cursor on.
 *
 * Format: `0x02 | iv (12 bytes) | AES-GCM(contents)` under a key derived from the team secret,
 * the workspace id bound in as additional data. Contents, in lib0's encoding: cursor (varuint),
 * the doc's updates (a varuint count, then each update gzipped, as a varuint8array), the
 * fact segments (likewise, each already compressed). The relay holds it and can read nothing
 * of it. The doc goes as its stored updates rather than merged into one: merging a large doc
 * takes Yjs seconds, applying several updates in a row costs no more than one.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { utf8 } from './bytes.ts';
import { gunzip, gzip } from './facts.ts';

const VERSION = 2;

export interface SnapshotContents {
  /** The intake log up to this seq is in `facts`. */
  cursor: number;
  /** The team doc, as updates to apply in order. */
  doc: Uint8Array[];
  /** Fact segments, in log order, as stored (see core/facts.ts). */
  facts: Uint8Array[];
}

/** Writes the contents (a backup file carries them too, see backup.ts). */
export async function writeContents(
  encoder: encoding.Encoder,
  contents: SnapshotContents,
): Promise<void> {
  encoding.writeVarUint(encoder, contents.cursor);
  encoding.writeVarUint(encoder, contents.doc.length);
  for (const update of contents.doc) encoding.writeVarUint8Array(encoder, await gzip(update));
  encoding.writeVarUint(encoder, contents.facts.length);
  for (const segment of contents.facts) encoding.writeVarUint8Array(encoder, segment);
}

/** Reads what `writeContents` wrote; throws on damage. */
export async function readContents(decoder: decoding.Decoder): Promise<SnapshotContents> {
  const cursor = decoding.readVarUint(decoder);
  const doc: Uint8Array[] = [];
  const updates = decoding.readVarUint(decoder);
  for (let i = 0; i < updates; i++) doc.push(await gunzip(decoding.readVarUint8Array(decoder)));
  const count = decoding.readVarUint(decoder);
  const facts: Uint8Array[] = [];
  for (let i = 0; i < count; i++) facts.push(decoding.readVarUint8Array(decoder));
  return { cursor, doc, facts };
}

export async function encryptSnapshot(
  key: CryptoKey,
  workspace: string,
  contents: SnapshotContents,
): Promise<Uint8Array<ArrayBuffer>> {
  const encoder = encoding.createEncoder();
  await writeContents(encoder, contents);
  const plain = encoding.toUint8Array(encoder);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: utf8.encode(workspace) },
      key,
      plain,
    ),
  );
  const out = new Uint8Array(1 + iv.length + ct.length);
  out[0] = VERSION;
  out.set(iv, 1);
  out.set(ct, 1 + iv.length);
  return out;
}

/** Opens a snapshot; throws when it is not this team's (wrong secret, other workspace, damage). */
export async function decryptSnapshot(
  key: CryptoKey,
  workspace: string,
  sealed: Uint8Array<ArrayBuffer>,
): Promise<SnapshotContents> {
  if (sealed.length < 1 + 12 + 16 || sealed[0] !== VERSION) {
    throw new Error('not a team snapshot');
  }
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(1, 13), additionalData: utf8.encode(workspace) },
      key,
      sealed.subarray(13),
    );
  } catch {
    throw new Error('the team snapshot cannot be opened with this team secret');
  }
  try {
    return await readContents(decoding.createDecoder(new Uint8Array(plain)));
  } catch {
    throw new Error('the team snapshot is damaged');
  }
}
