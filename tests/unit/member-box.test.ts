/**
 * Sealing a new team secret to members' own keys (core/member-box.ts): each remaining member
 * opens theirs; a removed member — who has no box of their own in the change, only others' —
 * opens nothing; a box is good for one member, one workspace and one change only.
 */
import { describe, expect, it } from 'vitest';
import { boxKeyText, generateBoxKeys, openSecret, sealSecret } from '../../src/core/member-box.ts';

async function member(id: string) {
  const keys = await generateBoxKeys();
  return { member: id, keys, box: await boxKeyText(keys.publicKey) };
}

const opens = (promise: Promise<string>): Promise<string> =>
  promise.then(
    (text) => text,
    () => 'refused',
  );

describe('team secrets sealed to members', () => {
  it('each remaining member opens the new secret; the removed member opens nothing', async () => {
    const [ada, grace, mallory] = await Promise.all([
      member('ada'),
      member('grace'),
      member('mallory'),
    ]);
    const secret = 'new-team-secret-abcdefghijklmnopqrstuvwxyz';
    // Mallory is removed: the change seals the secret to Ada and Grace only.
    const boxes = {
      ada: await sealSecret(secret, ada, 'ws1', 2),
      grace: await sealSecret(secret, grace, 'ws1', 2),
    };
    expect(await openSecret(boxes.ada, ada, 'ws1', 2)).toBe(secret);
    expect(await openSecret(boxes.grace, grace, 'ws1', 2)).toBe(secret);
    // Mallory sees the boxes (they travel through the old room and the relay) and opens none.
    for (const box of Object.values(boxes)) {
      expect(await opens(openSecret(box, mallory, 'ws1', 2))).toBe('refused');
      expect(await opens(openSecret(box, { ...mallory, member: 'ada' }, 'ws1', 2))).toBe('refused');
    }
  });

  it('a box opens for its own workspace, change and member only', async () => {
    const ada = await member('ada');
    const box = await sealSecret('s3cret-s3cret-s3cret', ada, 'ws1', 2);
    expect(await opens(openSecret(box, ada, 'ws2', 2))).toBe('refused');
    expect(await opens(openSecret(box, ada, 'ws1', 3))).toBe('refused');
    expect(await opens(openSecret(box, { ...ada, member: 'grace' }, 'ws1', 2))).toBe('refused');
    const tampered = `${box.slice(0, -3)}${box.slice(-3) === 'AAA' ? 'BBB' : 'AAA'}`;
    expect(await opens(openSecret(tampered, ada, 'ws1', 2))).toBe('refused');
    expect(await opens(openSecret('garbage', ada, 'ws1', 2))).toBe('refused');
  });
});
