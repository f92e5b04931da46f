/**
 * Chat boxes, both ways, in HPKE's Auth mode (RFC 9180: DHKEM P-256, HKDF-SHA-256, AES-128-GCM):
 * a box opens only with the recipient's private key *and* the sender's public key, so it proves
 * who sealed it.
 * - Visitor → team: sealed by the visitor's own key pair (made when the chat is first used) to
 *   the workspace's intake key. The box carries the visitor's public key; the team keeps the
 *   first key a visitor wrote with, so nobody who merely knows a visitor id can write into
 *   their conversation.
 * - Team → visitor: sealed by the intake key pair (every member holds it) to the visitor's key,
 *   into the visitor's mailbox. The widget opens it with the intake public key from its snippet:
 *   a reply the relay or anyone else made does not open.
 * Format: `h1.<sender public key>.<enc>.<ciphertext>`, each part base64url. The info string
 * differs per direction (a box cannot be reflected back) and the additional data binds the
 * workspace (and, for replies, the mailbox).
 */
import { Aes128Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from '@hpke/core';
import { fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import { SealError } from './seal.ts';

const PREFIX = 'h1';
const FROM_VISITOR = utf8.encode('converge-leads/chat/visitor/v1');
const FROM_TEAM = utf8.encode('converge-leads/chat/team/v1');

const suite = new CipherSuite({
  kem: new DhkemP256HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes128Gcm(),
});

/** A visitor's chat key pair: the private key never leaves the browser (not extractable). */
export function generateVisitorKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
}

/** A public key as base64url of its raw point (what boxes and mailboxes carry). */
export async function publicKeyText(key: CryptoKey): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', key)));
}

function importPublic(text: string): Promise<CryptoKey> {
  return suite.kem.importKey('raw', fromBase64Url(text).buffer, true);
}

/** The team's sending key: the intake key pair, from its private JWK and public point. */
export async function teamSenderKeys(
  privateKey: JsonWebKey,
  publicKey: string,
): Promise<CryptoKeyPair> {
  return {
    privateKey: await suite.kem.importKey('jwk', privateKey, false),
    publicKey: await importPublic(publicKey),
  };
}

async function sealBox(
  sender: CryptoKeyPair,
  senderPublic: string,
  recipientPublic: string,
  info: Uint8Array<ArrayBuffer>,
  plaintext: string,
  aad: string,
): Promise<string> {
  const { enc, ct } = await suite.seal(
    { recipientPublicKey: await importPublic(recipientPublic), senderKey: sender, info },
    utf8.encode(plaintext),
    utf8.encode(aad),
  );
  return [
    PREFIX,
    senderPublic,
    toBase64Url(new Uint8Array(enc)),
    toBase64Url(new Uint8Array(ct)),
  ].join('.');
}

function partsOf(sealed: string): [string, string, string] {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) throw new SealError('not a chat box');
  return [parts[1] ?? '', parts[2] ?? '', parts[3] ?? ''];
}

async function openBox(
  recipient: CryptoKey | CryptoKeyPair,
  senderPublic: string,
  enc: string,
  ct: string,
  info: Uint8Array<ArrayBuffer>,
  aad: string,
): Promise<string> {
  try {
    const pt = await suite.open(
      {
        recipientKey: recipient,
        enc: fromBase64Url(enc).buffer,
        senderPublicKey: await importPublic(senderPublic),
        info,
      },
      fromBase64Url(ct),
      utf8.encode(aad),
    );
    return utf8.decode(new Uint8Array(pt));
  } catch (err) {
    throw new SealError(err instanceof Error ? err.message : 'cannot open box');
  }
}

/** Seals a visitor's chat event to the intake key of workspace `aad`. */
export async function sealFromVisitor(
  visitor: CryptoKeyPair,
  intakePublicKey: string,
  plaintext: string,
  aad: string,
): Promise<string> {
  const me = await publicKeyText(visitor.publicKey);
  return sealBox(visitor, me, intakePublicKey, FROM_VISITOR, plaintext, aad);
}

/** Opens a visitor's box with the intake private key: its text and who sealed it. */
export async function openFromVisitor(
  intakePrivate: CryptoKey,
  sealed: string,
  aad: string,
): Promise<{ text: string; from: string }> {
  const [from, enc, ct] = partsOf(sealed);
  return { text: await openBox(intakePrivate, from, enc, ct, FROM_VISITOR, aad), from };
}

/** Imports the intake private key (JWK) for opening visitors' chat boxes. */
export function importChatPrivateKey(jwk: JsonWebKey): Promise<CryptoKey> {
  return suite.kem.importKey('jwk', jwk, false);
}

/** Seals a team message to a visitor's key, as the team (the intake key pair). */
export function sealToVisitor(
  team: CryptoKeyPair,
  intakePublicKey: string,
  visitorPublicKey: string,
  plaintext: string,
  aad: string,
): Promise<string> {
  return sealBox(team, intakePublicKey, visitorPublicKey, FROM_TEAM, plaintext, aad);
}

/**
 * Opens a team message with the visitor's key; throws SealError unless the team sealed it
 * (whatever sender key the box names, it is opened against the intake key).
 */
export function openFromTeam(
  visitor: CryptoKeyPair,
  intakePublicKey: string,
  sealed: string,
  aad: string,
): Promise<string> {
  const [, enc, ct] = partsOf(sealed);
  // The pair, not the private key alone: a non-extractable key cannot give its public half.
  return openBox(visitor, intakePublicKey, enc, ct, FROM_TEAM, aad);
}

/** A mailbox's address: the SHA-256 of its capability, base64url (the relay keeps only this). */
export async function mailboxOf(capability: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', utf8.encode(capability));
  return toBase64Url(new Uint8Array(digest));
}
