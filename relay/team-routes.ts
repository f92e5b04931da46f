/**
 * What a team and its visitors exchange through the relay besides the log: replies in visitors'
 * mailboxes, whether the team is online, the published widget settings, and the change of the
 * team secret when a member is removed.
 */
import * as v from 'valibot';
import { ID_PATTERN } from '../src/core/names.ts';
import { RELAY_LIMITS, type MailResponse, type TeamStatus } from '../src/core/relay-protocol.ts';
import { verifyRemoval } from '../src/core/removal-chain.ts';
import {
  logPage,
  workspaceAccess,
  type Handler,
  type Resources,
  type RouteContext,
} from './access.ts';
import { check, says, shape } from './checks.ts';
import { CORS_HEADERS, HttpError, intParam, readJson, sendJson } from './http.ts';
import { SEALED_SHAPE } from './intake.ts';
import { MAIL_PAGE } from './live-follow.ts';
import { bearerToken, checkCapability, sha256Hex } from './tokens.ts';

/** A team reply's body: one box (the id as intake ids). */
const MAX_MAIL_BYTES = 16 * 1024;
const MAIL_ID_RULE = says('invalid_id', `must match ${ID_PATTERN.source}`);
const NOT_BOX = says('invalid_sealed', 'is not a chat box (h1.<b64url>.<b64url>.<b64url>)');
const mailBody = shape(
  {
    id: v.pipe(v.string(MAIL_ID_RULE), v.regex(ID_PATTERN, MAIL_ID_RULE)),
    sealed: v.pipe(
      v.string(NOT_BOX),
      v.maxLength(
        RELAY_LIMITS.maxSealedBytes,
        says('sealed_too_large', `is over ${RELAY_LIMITS.maxSealedBytes} bytes`),
      ),
      v.regex(SEALED_SHAPE, NOT_BOX),
      v.startsWith('h1.', NOT_BOX),
    ),
  },
  says('invalid_body', 'must be a JSON object'),
);

export function teamRoutes(ctx: RouteContext): Resources {
  const { store, options, live } = ctx;
  const { authorize, publicWorkspace, formerToken } = workspaceAccess(ctx);

  const postMail: Handler = async ({ req, res, id, name: mailbox }) => {
    const workspace = await authorize(req, id);
    if (!ID_PATTERN.test(mailbox)) throw new HttpError(400, 'invalid_mailbox', 'not a mailbox id');
    const checked = check(
      mailBody,
      await readJson(req, MAX_MAIL_BYTES),
      'the body',
      'invalid_body',
    );
    if (!checked.ok)
      throw new HttpError(
        checked.error === 'sealed_too_large' ? 413 : 400,
        checked.error,
        checked.message,
      );
    const result = await store.writeMail(workspace.wid, mailbox, checked.value, options.maxMailbox);
    if (!result.ok) {
      throw new HttpError(
        507,
        'mailbox_full',
        `a mailbox holds at most ${options.maxMailbox} replies`,
      );
    }
    const answer: MailResponse = result.entry
      ? { seq: result.entry.seq, duplicate: false }
      : { duplicate: true };
    sendJson(res, 200, answer);
  };

  /**
   * Whether the team is online, for the widget: some member's app follows the log. Public (the
   * widget has no credentials), and says nothing about who or how many.
   */
  const teamStatus: Handler = async ({ req, res, id }) => {
    const workspace = await publicWorkspace(req, id);
    const answer: TeamStatus = { online: await live.following(workspace.wid) };
    sendJson(res, 200, answer);
  };

  /** A visitor reading its mailbox: the capability it is named after is the credential. */
  const readMail: Handler = async ({ req, res, id, name: mailbox, url }) => {
    const workspace = await authorize(req, id, {
      name: 'mailbox capability',
      // The mailbox id itself is no credential: the relay keeps only that hash.
      matches: (capability) => ID_PATTERN.test(mailbox) && checkCapability(capability, mailbox),
    });
    const after = intParam(url, 'after', 0);
    if (after === undefined) {
      throw new HttpError(400, 'invalid_cursor', '"after" must be a non-negative integer');
    }
    const page = await store.readMail(workspace.wid, mailbox, after, MAIL_PAGE);
    sendJson(res, 200, logPage(page, after));
  };

  /**
   * The widget settings the team published: the signed chain the widget verifies. Members store
   * it (the relay cannot tell a good chain from a forged one, and need not: the widget can);
   * anyone reads it, as the widget has no credentials.
   */
  const writeWidgetSettings: Handler = async ({ req, res, id }) => {
    const workspace = await authorize(req, id);
    const body = await readJson(req, RELAY_LIMITS.maxWidgetBytes);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'invalid_body', 'the widget settings must be a JSON object');
    }
    await store.writeWidgetSettings(workspace.wid, JSON.stringify(body));
    sendJson(res, 200, { stored: true });
  };

  /**
   * A member removed for good: the team secret changes, proven by the signed chain of the
   * removal (see src/core/removal-chain.ts). From now on only the new secret's token reads.
   */
  const rotate: Handler = async ({ req, res, id }) => {
    const workspace = await authorize(req, id);
    const body = await readJson(req, RELAY_LIMITS.maxChainBytes);
    const removal = await verifyRemoval(id, body);
    if (!removal) {
      throw new HttpError(400, 'invalid_body', 'not a signed chain that proves a removal');
    }
    const next = {
      epoch: removal.epoch,
      tokenHash: removal.tokenHash,
      chain: JSON.stringify(body),
    };
    if (removal.epoch !== workspace.epoch + 1 || !(await store.rotate(workspace, next))) {
      throw new HttpError(
        409,
        'epoch_conflict',
        `the team secret is at ${String(workspace.epoch)}: this change is not the next one`,
      );
    }
    // (The store tells every node's followers of the old token to go.)
    sendJson(res, 200, { epoch: removal.epoch });
  };

  /** The change that replaced the presented (former) token: how a member who was away catches up. */
  const readRotation: Handler = async ({ req, res, id }) => {
    const workspace = await authorize(req, id, formerToken);
    const token = bearerToken(req.headers.authorization) ?? '';
    const rotation = await store.rotationFor(workspace.wid, sha256Hex(token));
    if (!rotation) throw new HttpError(404, 'no_rotation', 'this token is the current one');
    res.writeHead(200, { ...CORS_HEADERS, 'content-type': 'application/json' });
    res.end(`{"epoch":${String(rotation.epoch)},"chain":${rotation.chain}}`);
  };

  const readWidgetSettings: Handler = async ({ req, res, id }) => {
    const workspace = await publicWorkspace(req, id);
    const body = await store.readWidgetSettings(workspace.wid);
    if (body === undefined) {
      throw new HttpError(404, 'no_widget_settings', 'the team has published no widget settings');
    }
    res.writeHead(200, {
      ...CORS_HEADERS,
      'content-type': 'application/json',
      'cache-control': 'no-cache',
    });
    res.end(body);
  };

  return {
    status: { GET: teamStatus },
    rotation: { GET: readRotation },
    rotate: { POST: rotate },
    widget: {
      GET: readWidgetSettings,
      PUT: writeWidgetSettings,
    },
    mailboxes: {
      GET: readMail,
      POST: postMail,
    },
  };
}
