import { describe, expect, it } from 'vitest';
import {
  generateVisitorKeys,
  importChatPrivateKey,
  mailboxOf,
  openFromTeam,
  openFromVisitor,
  publicKeyText,
  sealFromVisitor,
  sealToVisitor,
  teamSenderKeys,
} from '../../src/core/chat-seal.ts';
import { generateIntakeKeyPair } from '../../src/core/seal.ts';
import { SealError } from '../../src/core/seal.ts';

const WS = 'workspace-0123456789';

async function team() {
  const intake = await generateIntakeKeyPair();
  return {
    intake,
    opener: await importChatPrivateKey(intake.privateKey),
    sender: await teamSenderKeys(intake.privateKey, intake.publicKey),
  };
}

describe('chat boxes', () => {
  it('a visitor’s box opens for the team and names the visitor’s key', async () => {
    const { intake, opener } = await team();
    const visitor = await generateVisitorKeys();
    const sealed = await sealFromVisitor(visitor, intake.publicKey, 'hello', WS);
    expect(sealed.startsWith('h1.')).toBe(true);
    expect(sealed).not.toContain('hello');
    const opened = await openFromVisitor(opener, sealed, WS);
    expect(opened).toEqual({ text: 'hello', from: await publicKeyText(visitor.publicKey) });
  });

  it('a visitor’s box does not open in another workspace, with another key, or changed', async () => {
    const { intake, opener } = await team();
    const other = await team();
    const visitor = await generateVisitorKeys();
    const sealed = await sealFromVisitor(visitor, intake.publicKey, 'hello', WS);
    await expect(openFromVisitor(opener, sealed, 'another-workspace-000')).rejects.toThrow(
      SealError,
    );
    await expect(openFromVisitor(other.opener, sealed, WS)).rejects.toThrow(SealError);
    // Claiming to be another visitor: the box was not sealed by that key.
    const impostor = await publicKeyText((await generateVisitorKeys()).publicKey);
    const [prefix, , enc, ct] = sealed.split('.');
    await expect(
      openFromVisitor(opener, [prefix, impostor, enc, ct].join('.'), WS),
    ).rejects.toThrow(SealError);
    const flipped = sealed.slice(0, -2) + (sealed.at(-2) === 'A' ? 'B' : 'A') + sealed.slice(-1);
    await expect(openFromVisitor(opener, flipped, WS)).rejects.toThrow(SealError);
    await expect(openFromVisitor(opener, 's1.a.b.c', WS)).rejects.toThrow(SealError);
  });

  it('a team reply opens for its visitor, and only a reply the team sealed does', async () => {
    const { intake, sender } = await team();
    const visitor = await generateVisitorKeys();
    const me = await publicKeyText(visitor.publicKey);
    const sealed = await sealToVisitor(sender, intake.publicKey, me, 'hi there', `${WS}/box`);
    expect(await openFromTeam(visitor, intake.publicKey, sealed, `${WS}/box`)).toBe('hi there');
    // Another mailbox, another visitor.
    await expect(openFromTeam(visitor, intake.publicKey, sealed, `${WS}/other`)).rejects.toThrow(
      SealError,
    );
    const stranger = await generateVisitorKeys();
    await expect(openFromTeam(stranger, intake.publicKey, sealed, `${WS}/box`)).rejects.toThrow(
      SealError,
    );
    // Forged: sealed by someone who is not the team (the relay, say), whatever key it names.
    const forger = await team();
    const forged = await sealToVisitor(
      forger.sender,
      intake.publicKey,
      me,
      'pay here',
      `${WS}/box`,
    );
    await expect(openFromTeam(visitor, intake.publicKey, forged, `${WS}/box`)).rejects.toThrow(
      SealError,
    );
    // A visitor's own box reflected back is not a reply.
    const reflected = await sealFromVisitor(visitor, me, 'echo', `${WS}/box`);
    await expect(openFromTeam(visitor, intake.publicKey, reflected, `${WS}/box`)).rejects.toThrow(
      SealError,
    );
  });

  it('a mailbox address is the capability’s hash, an id', async () => {
    const box = await mailboxOf('capability-of-the-visitor');
    expect(box).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await mailboxOf('capability-of-the-visitor')).toBe(box);
    expect(await mailboxOf('another')).not.toBe(box);
  });
});
