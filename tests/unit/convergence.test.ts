/**
 * Convergence, the Yjs way: simulated peers, each with its own copy of the team doc, over a
 * fake network that drops, duplicates, reorders and partitions messages, and reconnects with
 * the same state-vector exchange y-webrtc does on connect. Peers ingest one shared intake log
 * from their own cursors and make team edits (assign, tag, untag, convert). A seeded random
 * generator makes every run reproducible. Afterwards every peer must hold the same state and
 * no edit may be lost.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { PageView } from '../../src/core/capture.ts';
import {
  addPageViews,
  assignLead,
  assignments,
  customers,
  markCustomer,
  splitTagKey,
  TagIndex,
  tags,
  views,
  visitors,
} from '../../src/core/team-doc.ts';
import { prng } from '../prng.ts';
import { pageView } from '../page-view.ts';

const NET = Symbol('net');

interface Message {
  to: number;
  update: Uint8Array;
}

interface Peer {
  doc: Y.Doc;
  tags: TagIndex;
  cursor: number;
  member: string;
}

function shopView(n: number, visitor: string, at: number): PageView {
  return pageView({
    id: `event${String(n)}`,
    visitorId: visitor,
    at,
    url: `https://shop.example/${n % 3 === 0 ? 'pricing' : ''}`,
    title: 'Shop',
  });
}

function state(doc: Y.Doc): unknown {
  return {
    views: views(doc).toJSON(),
    visitors: visitors(doc).toJSON(),
    assignments: assignments(doc).toJSON(),
    tags: tags(doc).toJSON(),
    customers: customers(doc).toJSON(),
  };
}

function simulate(seed: number, steps: number) {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const PEERS = 5;
  const LEADS = 40;
  const TAGS = ['vip', 'enterprise', 'follow up', 'spam'];
  const peers: Peer[] = [];
  let inFlight: Message[] = [];
  /** Which side of a partition each peer is on; messages across sides are lost. */
  let side = new Array<number>(PEERS).fill(0);

  for (let i = 0; i < PEERS; i++) {
    const doc = new Y.Doc();
    const index = i;
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === NET) return;
      for (let to = 0; to < PEERS; to++) if (to !== index) inFlight.push({ to, update });
    });
    peers.push({ doc, tags: new TagIndex(doc), cursor: 0, member: `member${String(i)}` });
  }

  const intake: PageView[] = [];
  const converted = new Set<string>();
  const assigned = new Map<string, Set<string | null>>();
  /** The last tag operation per key, in the simulation's global order. */
  const lastTagOp = new Map<string, 'add' | 'remove'>();
  const counts = { captures: 0, edits: 0, delivered: 0, dropped: 0, duplicated: 0, partitions: 0 };

  const sync = (a: Peer, b: Peer): void => {
    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)), NET);
    Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc, Y.encodeStateVector(a.doc)), NET);
  };

  for (let step = 0; step < steps; step++) {
    const r = random();
    const peer = pick(peers);
    const lead = `lead${String(Math.floor(random() * LEADS))}`;
    if (r < 0.15) {
      // A visitor's page view lands in the relay's intake log.
      intake.push(shopView(intake.length, lead, 1_000 + intake.length));
    } else if (r < 0.3) {
      // A peer ingests a few entries from its own cursor (every peer ingests the same log).
      const upTo = Math.min(intake.length, peer.cursor + 1 + Math.floor(random() * 4));
      addPageViews(peer.doc, intake.slice(peer.cursor, upTo));
      counts.captures += upTo - peer.cursor;
      peer.cursor = upTo;
    } else if (r < 0.55) {
      counts.edits++;
      const kind = random();
      if (kind < 0.3) {
        const to = random() < 0.2 ? null : pick(peers).member;
        assignLead(peer.doc, lead, to, peer.member);
        let set = assigned.get(lead);
        if (!set) assigned.set(lead, (set = new Set()));
        set.add(to);
      } else if (kind < 0.9) {
        // As in the app: a tag the lead shows can be removed, one it lacks can be added.
        const tag = pick(TAGS);
        const key = `${lead}/${tag}`;
        if (peer.tags.has(lead, tag)) {
          peer.tags.remove(lead, tag);
          lastTagOp.set(key, 'remove');
        } else {
          peer.tags.add(lead, tag, peer.member);
          lastTagOp.set(key, 'add');
        }
      } else {
        markCustomer(peer.doc, lead, peer.member);
        converted.add(lead);
      }
    } else if (r < 0.9) {
      // The network moves a message: delivered (maybe twice, maybe out of order) or lost.
      if (inFlight.length === 0) continue;
      const at = Math.floor(random() * inFlight.length);
      const [message] = inFlight.splice(at, 1);
      if (!message) continue;
      const from = peers.indexOf(peer);
      const blocked = side[message.to] !== side[from];
      const fate = random();
      if (blocked || fate < 0.1) {
        counts.dropped++;
        continue;
      }
      const target = peers[message.to];
      if (!target) continue;
      Y.applyUpdate(target.doc, message.update, NET);
      counts.delivered++;
      if (fate > 0.9) {
        inFlight.push(message);
        counts.duplicated++;
      }
    } else if (r < 0.93) {
      // A partition appears or heals.
      side = side.map(() => (random() < 0.5 ? 0 : 1));
      counts.partitions++;
    } else {
      // Two peers on the same side (re)connect and exchange what the other lacks.
      const other = pick(peers);
      if (other !== peer && side[peers.indexOf(other)] === side[peers.indexOf(peer)]) {
        sync(peer, other);
      }
    }
  }

  // The network heals: everyone ingests the rest of the log, then reconnects with everyone.
  side = side.map(() => 0);
  inFlight = [];
  for (const peer of peers) {
    addPageViews(peer.doc, intake.slice(peer.cursor));
    peer.cursor = intake.length;
  }
  for (const a of peers) for (const b of peers) if (a !== b) sync(a, b);

  return { peers, intake, converted, assigned, lastTagOp, counts };
}

describe('convergence under a hostile network', () => {
  for (const seed of [1, 2, 3, 42, 2026]) {
    it(`every peer ends identical and no edit is lost (seed ${String(seed)})`, () => {
      const run = simulate(seed, 6_000);
      const [first, ...rest] = run.peers;
      if (!first) throw new Error('no peers');
      const expected = state(first.doc);
      for (const peer of rest) expect(state(peer.doc)).toEqual(expected);

      // The simulation really exercised the network and the edits.
      expect(run.counts.edits).toBeGreaterThan(1_000);
      expect(run.counts.dropped).toBeGreaterThan(100);
      expect(run.counts.duplicated).toBeGreaterThan(50);
      expect(run.counts.partitions).toBeGreaterThan(50);

      // Every captured page view, exactly once (a map keyed by event id cannot double it).
      const viewMap = views(first.doc);
      expect(viewMap.size).toBe(run.intake.length);
      for (const e of run.intake) expect(viewMap.get(e.id)?.v).toBe(e.visitorId);

      // Every conversion holds; nothing converted that nobody converted.
      expect(new Set(customers(first.doc).keys())).toEqual(run.converted);

      // A tag whose last operation was an add is there (a concurrent remove cannot erase it).
      for (const [key, op] of run.lastTagOp) {
        const { leadId, tag } = splitTagKey(`${key}/`);
        if (op === 'add') expect(first.tags.has(leadId, tag), key).toBe(true);
      }
      for (const key of tags(first.doc).keys()) {
        const { leadId, tag } = splitTagKey(key);
        expect(run.lastTagOp.has(`${leadId}/${tag}`)).toBe(true);
      }

      // Each lead's assignee is one somebody chose for it.
      for (const [lead, assignment] of assignments(first.doc)) {
        expect(run.assigned.get(lead)?.has(assignment.to)).toBe(true);
      }
    });
  }
});
