import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { check, says, shape } from '../../relay/checks.ts';
import { parseIntake } from '../../relay/intake.ts';

const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const SEALED = 's1.AAAA.BBBB.CCCC';

describe('client JSON checks', () => {
  const schema = shape(
    {
      name: v.pipe(v.string(says('invalid_id', 'must be text')), v.minLength(1, 'is empty')),
      list: v.array(shape({ n: v.number(says('invalid_cursor', 'must be a number')) })),
    },
    says('invalid_body', 'must be a JSON object'),
  );

  it.each<[string, unknown, string, string]>([
    ['not an object', 5, 'invalid_body', 'the body must be a JSON object'],
    ['a field of the wrong type', { name: 1, list: [] }, 'invalid_id', 'name must be text'],
    ['a missing field, refused with its own code', { list: [] }, 'invalid_id', 'name must be text'],
    [
      'a problem deep inside, with where it is',
      { name: 'x', list: [{ n: 1 }, { n: 'two' }] },
      'invalid_cursor',
      'list[1].n must be a number',
    ],
    ['a message without a code', { name: '', list: [] }, 'bad_request', 'name is empty'],
  ])('refuses %s', (_name, value, error, message) => {
    expect(check(schema, value, 'the body', 'bad_request')).toEqual({ ok: false, error, message });
  });

  it('hands back the checked value', () => {
    expect(
      check(schema, { name: 'x', list: [{ n: 1, extra: 2 }] }, 'the body', 'bad_request'),
    ).toEqual({
      ok: true,
      value: { name: 'x', list: [{ n: 1 }] },
    });
  });
});

describe('intake bodies', () => {
  const body = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

  it.each<[string, Buffer, number, string, string]>([
    ['not JSON', Buffer.from('{x'), 400, 'invalid_json', 'the body is not valid JSON'],
    ['not an object', body(null), 400, 'invalid_body', 'the body must be a JSON object'],
    ['no events', body({}), 400, 'invalid_body', 'events must be an array'],
    ['an empty batch', body({ events: [] }), 400, 'empty_batch', 'events is empty'],
    [
      'too many events, before looking at them',
      body({ events: Array.from({ length: 51 }, () => 1) }),
      413,
      'too_many_events',
      'events must hold at most 50 events per request',
    ],
    [
      'an event that is not an object',
      body({ events: [1] }),
      400,
      'invalid_body',
      'events[0] is not an object',
    ],
    [
      'a bad id',
      body({
        events: [
          { id: ID, sealed: SEALED },
          { id: 'short', sealed: SEALED },
        ],
      }),
      400,
      'invalid_id',
      'events[1].id must match ^[A-Za-z0-9_-]{16,64}$',
    ],
    [
      'no id',
      body({ events: [{ sealed: SEALED }] }),
      400,
      'invalid_id',
      'events[0].id must match ^[A-Za-z0-9_-]{16,64}$',
    ],
    [
      'no box',
      body({ events: [{ id: ID }] }),
      400,
      'invalid_sealed',
      'events[0].sealed is not a string',
    ],
    [
      'a box too large',
      body({ events: [{ id: ID, sealed: `s1.A.B.${'C'.repeat(8192)}` }] }),
      413,
      'sealed_too_large',
      'events[0].sealed is over 8192 bytes',
    ],
    [
      'something else than a sealed box',
      body({ events: [{ id: ID, sealed: 's1.A.B' }] }),
      400,
      'invalid_sealed',
      'events[0].sealed is not a sealed box ([sh]1.<b64url>.<b64url>.<b64url>)',
    ],
  ])('refuses %s', (_name, raw, status, error, message) => {
    expect(parseIntake(raw)).toEqual({ status, error, message });
  });

  it('keeps each event’s id and box, nothing else', () => {
    expect(parseIntake(body({ events: [{ id: ID, sealed: SEALED, extra: 1 }], more: 2 }))).toEqual([
      { id: ID, sealed: SEALED },
    ]);
  });
});
