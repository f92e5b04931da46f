import { describe, expect, it } from 'vitest';
import { toBase64Url, utf8 } from '../../src/core/bytes.ts';
import { decodeInvite, encodeInvite, type Invite } from '../../src/core/invite.ts';

const INVITE: Invite = {
  workspace: 'WWWWWWWWWWWWWWWWWWWWWW',
  name: 'Acme',
  relay: 'https://relay.example',
  secret: 'S'.repeat(43),
};
const code = (value: unknown): string => toBase64Url(utf8.encode(JSON.stringify(value)));

describe('invite links', () => {
  it('reads back what it wrote', () => {
    expect(decodeInvite(encodeInvite(INVITE))).toEqual(INVITE);
    expect(decodeInvite(`  ${encodeInvite(INVITE)}\n`)).toEqual(INVITE);
  });

  it('keeps only the invite’s fields, and at most 100 characters of the name', () => {
    const decoded = decodeInvite(code({ ...INVITE, name: 'n'.repeat(300), extra: 'x' }));
    expect(decoded).toEqual({ ...INVITE, name: 'n'.repeat(100) });
  });

  it.each(['not base64!', code('{').slice(0, -1), toBase64Url(utf8.encode('{oops'))])(
    'calls %j damaged',
    (damaged) => {
      expect(() => decodeInvite(damaged)).toThrow(
        'This invite link is damaged: ask for a new one.',
      );
    },
  );

  it.each<[string, unknown]>([
    ['null', null],
    ['a list', [INVITE]],
    ['no workspace', { ...INVITE, workspace: undefined }],
    ['a short workspace id', { ...INVITE, workspace: 'abc' }],
    ['a secret of the wrong length', { ...INVITE, secret: 'S'.repeat(42) }],
    ['a secret with other characters', { ...INVITE, secret: `${'S'.repeat(42)}=` }],
    ['a relay that is not http(s)', { ...INVITE, relay: 'javascript:alert(1)' }],
    ['no relay', { ...INVITE, relay: undefined }],
    ['a name that is not text', { ...INVITE, name: 5 }],
  ])('calls an invite with %s incomplete', (_name, value) => {
    expect(() => decodeInvite(code(value))).toThrow(
      'This invite link is incomplete: ask for a new one.',
    );
  });
});
