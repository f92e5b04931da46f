/** The live log's one client message, `follow` (PROTOCOL.md), checked before anything else. */
import * as v from 'valibot';
import type { RawData } from 'ws';
import { ID_PATTERN } from '../src/core/names.ts';
import type { LiveClientMessage } from '../src/core/relay-protocol.ts';
import { check, says, shape } from './checks.ts';
import { rawText } from './sockets.ts';

const NOT_WORKSPACE = says('bad_request', 'is not a workspace id');
const NOT_TOKEN = says('bad_request', 'must be a non-empty string of at most 512 characters');
const NOT_CURSOR = says('bad_request', 'must be a non-negative integer');

const NOT_MAILBOX = says('bad_request', 'is not a mailbox id');

/** Entries per page of a mailbox (each box is at most 8 KiB). */
export const MAIL_PAGE = 100;

const common = {
  type: v.literal(
    'follow',
    says('bad_request', 'must be "follow": the first message is {"type":"follow",…}'),
  ),
  workspace: v.pipe(v.string(NOT_WORKSPACE), v.regex(ID_PATTERN, NOT_WORKSPACE)),
  after: v.pipe(v.number(NOT_CURSOR), v.safeInteger(NOT_CURSOR), v.minValue(0, NOT_CURSOR)),
};
const secret = v.pipe(v.string(NOT_TOKEN), v.minLength(1, NOT_TOKEN), v.maxLength(512, NOT_TOKEN));

const followLog = shape({ ...common, token: secret }, says('bad_request', 'must be an object'));
const followMailbox = shape(
  {
    ...common,
    mailbox: v.pipe(v.string(NOT_MAILBOX), v.regex(ID_PATTERN, NOT_MAILBOX)),
    capability: secret,
  },
  says('bad_request', 'must be an object'),
);

export function parseFollow(data: RawData): LiveClientMessage | string {
  let message: unknown;
  try {
    message = JSON.parse(rawText(data));
  } catch {
    return 'the message is not valid JSON';
  }
  const mailbox = typeof message === 'object' && message !== null && 'mailbox' in message;
  const checked = check(mailbox ? followMailbox : followLog, message, 'the message', 'bad_request');
  return checked.ok ? checked.value : checked.message;
}
