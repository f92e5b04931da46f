/**
 * The team ledger: signed records of who is in the team, their roles, and the admin-only
 * settings — the part of the team doc that must hold even against a modified client (anyone
 * with the team secret can write to the doc; only keys can sign).
 *
 * - The workspace id is a hash of the owner's public key, so an invite's workspace id pins the
 *   root of trust: nobody can substitute another "owner".
 * - Each entry is immutable and stored under the hash of its content, so an entry cannot be
 *   rewritten in place; peers that saw an entry put it back if anyone deletes it.
 * - Entries are read in the order of their `at`, a clock that never goes below what the signer
 *   has already seen, so each honest entry comes after everything its author knew.
 * - Joining is self-signed and makes an agent; only the owner and admins can change roles and
 *   admin settings, and only the owner the workspace's own data (its name and intake key pair)
 *   and an admin's role. A signer chooses the `at` of their entries, so the owner's demotion or
 *   removal of an admin names the admin's entries it lets stand: any other entry made with
 *   admin rights and dated before it counts for nothing (an admin cannot back-date one).
 *   Entries that fail a check are ignored (and counted).
 */
import * as v from 'valibot';
import * as Y from 'yjs';
import { fromBase64Url, toBase64Url } from './bytes.ts';
import {
  claimParser,
  entryId,
  ECDSA,
  isFiniteNumber,
  isPersonName,
  isRecord,
  RETENTION_DAYS,
  signingInput,
  type Check,
  type Claim,
  type Entry,
  type PublicKey,
  type Settings,
} from './ledger-claims.ts';
import { LedgerVerifier, usesAdminRights } from './ledger-verifier.ts';
import { SAVED_REPLIES_MAX, SAVED_TEXT_MAX, SAVED_TITLE_MAX } from './saved-replies.ts';
import { DEFAULT_RULES, normalizeRules } from './scoring.ts';
import { isWidgetConfig } from './widget-schema.ts';
import { DEFAULT_WIDGET } from './widget-settings.ts';

export * from './ledger-claims.ts';
export * from './ledger-verifier.ts';

export const DEFAULT_SETTINGS: Settings = {
  retentionDays: 7,
  scoringRules: DEFAULT_RULES,
  widget: DEFAULT_WIDGET,
  savedReplies: [],
  workspace: null,
};

const finiteNumber = v.custom<number>(isFiniteNumber);
const personName = v.custom<string>(isPersonName);

/**
 * What each admin setting may be set to by a signed claim. Built when first needed: the widget,
 * which checks only its own setting (widget-chain.ts), never carries the others' checks.
 */
function settingValues(): Record<keyof Settings, Check> {
  /** Well-formed, and the private key is the public key's other half. */
  const workspaceInfoSchema = v.pipe(
    v.strictObject({
      name: personName,
      intakePublicKey: v.pipe(v.string(), v.maxLength(100)),
      intakePrivateKey: v.looseObject({
        kty: v.literal('EC'),
        crv: v.literal('P-256'),
        x: v.string(),
        y: v.string(),
        d: v.string(),
      }),
      createdAt: finiteNumber,
    }),
    v.check((info) => {
      let point: Uint8Array;
      try {
        point = fromBase64Url(info.intakePublicKey);
      } catch {
        return false;
      }
      // The public key is the raw point 04 ‖ x ‖ y: it must be the private key's own.
      return (
        point.length === 65 &&
        point[0] === 4 &&
        toBase64Url(point.subarray(1, 33)) === info.intakePrivateKey.x &&
        toBase64Url(point.subarray(33)) === info.intakePrivateKey.y
      );
    }),
  );

  const is =
    (schema: v.GenericSchema): Check =>
    (value) =>
      v.is(schema, value);
  return {
    retentionDays: is(v.picklist(RETENTION_DAYS)),
    // Signed rules must already be in their clean form: what every peer scores with, exactly.
    scoringRules: (value) =>
      isRecord(value) && JSON.stringify(normalizeRules(value)) === JSON.stringify(value),
    widget: isWidgetConfig,
    savedReplies: is(
      v.pipe(
        v.array(
          v.strictObject({
            id: v.pipe(v.string(), v.minLength(1), v.maxLength(40)),
            title: v.pipe(
              v.string(),
              v.check((t) => t.trim() !== ''),
              v.maxLength(SAVED_TITLE_MAX),
            ),
            text: v.pipe(
              v.string(),
              v.check((t) => t.trim() !== ''),
              v.maxLength(SAVED_TEXT_MAX),
            ),
          }),
        ),
        v.maxLength(SAVED_REPLIES_MAX),
        v.check((list) => new Set(list.map((r) => r.id)).size === list.length),
      ),
    ),
    // A signed claim never sets it back to null (only a member who just joined has none).
    workspace: is(workspaceInfoSchema),
  };
}

/** What a removal claim is. Built when needed: the widget never carries it. */
export function removalClaimCheck(): Check {
  const schema = v.looseObject({
    kind: v.literal('removal'),
    member: v.string(),
    epoch: v.pipe(v.number(), v.integer(), v.minValue(2)),
    tokenHash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
    secrets: v.pipe(
      v.record(v.string(), v.pipe(v.string(), v.maxLength(400))),
      v.check((secrets) => Object.keys(secrets).length <= 500),
    ),
    keep: v.optional(v.pipe(v.array(v.string()), v.maxLength(10_000))),
    at: finiteNumber,
  });
  return (value) => v.is(schema, value);
}

export function ledger(doc: Y.Doc): Y.Map<Entry> {
  return doc.getMap<Entry>('ledger');
}

export function publicKeyOf(jwk: JsonWebKey): PublicKey {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new Error('not a P-256 public key');
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

export interface Signer {
  workspace: string;
  memberId: string;
  privateKey: CryptoKey;
}

export async function signClaim(signer: Signer, claim: Claim): Promise<Entry> {
  const text = JSON.stringify(claim);
  const sig = await crypto.subtle.sign(
    ECDSA,
    signer.privateKey,
    signingInput(signer.workspace, signer.memberId, text),
  );
  return { by: signer.memberId, claim: text, sig: toBase64Url(new Uint8Array(sig)) };
}

/** A clock for a new claim: now, but never before what this peer has already seen. */
export function nextAt(doc: Y.Doc, now: number): number {
  let latest = 0;
  ledger(doc).forEach((entry) => {
    const at = parseClaim(entry.claim)?.at ?? 0;
    if (at > latest) latest = at;
  });
  return Math.max(now, latest + 1);
}

/** Signs a claim and adds it to the doc. */
export async function record(doc: Y.Doc, signer: Signer, claim: Claim): Promise<void> {
  const entry = await signClaim(signer, claim);
  ledger(doc).set(await entryId(entry), entry);
}

let fullParser: ((text: string) => Claim | undefined) | undefined;

/** Parses a claim's text (any setting); undefined when it is not a well-formed claim. */
export function parseClaim(text: string): Claim | undefined {
  fullParser ??= claimParser(settingValues(), removalClaimCheck());
  return fullParser(text);
}

/** A verifier of the whole ledger: every claim, every setting. */
export function teamVerifier(workspace: string): LedgerVerifier {
  return new LedgerVerifier(workspace, parseClaim, DEFAULT_SETTINGS);
}

/** The ids of a member's accepted entries made with admin rights: what a demotion keeps. */
export function adminEntriesOf(accepted: ReadonlyMap<string, Entry>, memberId: string): string[] {
  const ids: string[] = [];
  for (const [id, entry] of accepted) {
    const claim = entry.by === memberId ? parseClaim(entry.claim) : undefined;
    if (claim && usesAdminRights(entry, claim)) ids.push(id);
  }
  return ids.sort();
}
