/**
 * Convergence of what ships: simulated browsers, each with the real sync code — its team doc,
 * team edits (`TeamEdits`), links to other browsers (`DocLinks`, y-protocols sync) and its own
 * store of visitors' facts and leads (`Projection`, on IndexedDB) — over a fake network that
 * drops, duplicates, reorders and partitions messages, and closes and reopens links. Browsers
 * read one shared intake log from their own cursors and make team edits (assign, tag, untag,
 * convert). Two topologies: every browser linked to every other, and a ring, where most pairs
 * have no link of their own and changes must be passed on. A seeded random generator makes
 * every run reproducible. Afterwards every browser must hold the same doc and the same leads,
 * and no edit or visit may be lost or doubled.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { randomId } from '../../src/core/bytes.ts';
import type { LoggedPageView } from '../../src/core/facts.ts';
import { assignments, customers, splitTagKey, tags, TagIndex } from '../../src/core/team-doc.ts';
import { WorkspaceDb } from '../../src/data/db.ts';
import { DocLinks, type TabChannel } from '../../src/team/doc-links.ts';
import { Projection } from '../../src/team/projection.ts';
import { TeamEdits } from '../../src/team/team-edits.ts';
import { pageView } from '../page-view.ts';
import { prng } from '../prng.ts';

/** A browser alone: its tabs' channel reaches no other tab. */
const noTabs = (): TabChannel => ({
  addEventListener: () => {},
  postMessage: () => {},
  close() {},
});

interface Message {
  from: number;
  to: number;
  bytes: Uint8Array;
}

interface Browser {
  doc: Y.Doc;
  edits: TeamEdits;
  tags: TagIndex;
  links: DocLinks;
  db: WorkspaceDb;
  projection: Projection;
  /** Leads whose team facts changed since the last projection. */
  dirty: Set<string>;
  member: string;
}

function shopView(seq: number, visitor: string): LoggedPageView {
  return {
    ...pageView({
      id: `event${String(seq).padStart(17, '0')}`,
      visitorId: visitor,
      at: 1_000 + seq,
      url: `https://shop.example/${seq % 3 === 0 ? 'pricing' : ''}`,
      title: 'Shop',
    }),
    seq,
  };
}

type Topology = 'mesh' | 'ring';

async function simulate(seed: number, steps: number, topology: Topology) {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const BROWSERS = 5;
  const LEADS = 40;
  const TAGS = ['vip', 'enterprise', 'follow up', 'spam'];
  const linked = (a: number, b: number): boolean =>
    a !== b && (topology === 'mesh' || Math.abs(a - b) === 1 || Math.abs(a - b) === BROWSERS - 1);
  let inFlight: Message[] = [];
  /** Which side of a partition each browser is on; messages across sides are lost. */
  let side = new Array<number>(BROWSERS).fill(0);
  /** Links open now, as "a-b" with a < b. */
  const open = new Set<string>();
  const key = (a: number, b: number): string =>
    `${String(Math.min(a, b))}-${String(Math.max(a, b))}`;

  const browsers: Browser[] = [];
  for (let i = 0; i < BROWSERS; i++) {
    const doc = new Y.Doc();
    const member = `member${String(i)}`;
    const edits = new TeamEdits(doc, member, { now: () => 1 });
    const links = new DocLinks(doc, noTabs(), (to, bytes) => {
      inFlight.push({ from: i, to, bytes });
    });
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      links.changed(update, origin);
    });
    const db = new WorkspaceDb(randomId());
    const browser: Browser = {
      doc,
      edits,
      tags: new TagIndex(doc),
      links,
      db,
      projection: new Projection(db, (id) => edits.teamFactsOf(id)),
      dirty: new Set(),
      member,
    };
    edits.on('changed', (leads) => {
      for (const lead of leads) browser.dirty.add(lead);
    });
    await browser.projection.open();
    browsers.push(browser);
  }

  const connect = (a: number, b: number): void => {
    open.add(key(a, b));
    browsers[a]?.links.opened(b);
    browsers[b]?.links.opened(a);
  };
  const disconnect = (a: number, b: number): void => {
    open.delete(key(a, b));
    browsers[a]?.links.closed(b);
    browsers[b]?.links.closed(a);
  };
  for (let a = 0; a < BROWSERS; a++)
    for (let b = a + 1; b < BROWSERS; b++) if (linked(a, b)) connect(a, b);

  const log: LoggedPageView[] = [];
  const converted = new Set<string>();
  const assigned = new Map<string, Set<string | null>>();
  /** The last tag operation per key, in the simulation's global order. */
  const lastTagOp = new Map<string, 'add' | 'remove'>();
  const counts = {
    ingested: 0,
    edits: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    partitions: 0,
    reconnects: 0,
  };

  const project = async (browser: Browser): Promise<void> => {
    const ids = [...browser.dirty];
    browser.dirty.clear();
    await browser.projection.reproject(ids);
  };

  for (let step = 0; step < steps; step++) {
    const r = random();
    const index = Math.floor(random() * BROWSERS);
    const browser = browsers[index];
    if (!browser) continue;
    const lead = `lead${String(Math.floor(random() * LEADS)).padStart(17, '0')}`;
    if (r < 0.12) {
      // A visitor's page view lands in the relay's intake log.
      log.push(shopView(log.length + 1, lead));
    } else if (r < 0.24) {
      // A browser ingests a few entries from its own cursor (every browser reads the same log).
      const from = browser.projection.cursor;
      const upTo = Math.min(log.length, from + 1 + Math.floor(random() * 4));
      if (upTo > from) {
        await browser.projection.ingest(log.slice(from, upTo), upTo, { live: false });
        counts.ingested += upTo - from;
      }
    } else if (r < 0.28) {
      await project(browser);
    } else if (r < 0.5) {
      counts.edits++;
      const kind = random();
      if (kind < 0.3) {
        const to = random() < 0.2 ? null : pick(browsers).member;
        browser.edits.assign(lead, to);
        let set = assigned.get(lead);
        if (!set) assigned.set(lead, (set = new Set()));
        set.add(to);
      } else if (kind < 0.9) {
        // As in the app: a tag the lead shows can be removed, one it lacks can be added.
        const tag = pick(TAGS);
        const tagKey = `${lead}/${tag}`;
        if (browser.tags.has(lead, tag)) {
          browser.edits.untag(lead, tag);
          lastTagOp.set(tagKey, 'remove');
        } else {
          browser.edits.tag(lead, tag);
          lastTagOp.set(tagKey, 'add');
        }
      } else {
        browser.edits.markCustomer(lead);
        converted.add(lead);
      }
    } else if (r < 0.88) {
      // The network moves a message: delivered (maybe twice, maybe out of order) or lost.
      if (inFlight.length === 0) continue;
      const [message] = inFlight.splice(Math.floor(random() * inFlight.length), 1);
      if (!message) continue;
      const fate = random();
      if (
        side[message.to] !== side[message.from] ||
        !open.has(key(message.from, message.to)) ||
        fate < 0.1
      ) {
        counts.dropped++;
        continue;
      }
      browsers[message.to]?.links.received(message.from, message.bytes);
      counts.delivered++;
      if (fate > 0.9) {
        inFlight.push(message);
        counts.duplicated++;
      }
    } else if (r < 0.91) {
      // A partition appears or heals.
      side = side.map(() => (random() < 0.5 ? 0 : 1));
      counts.partitions++;
    } else {
      // A link drops, or comes back and exchanges what either side lacks.
      const other = Math.floor(random() * BROWSERS);
      if (!linked(index, other)) continue;
      if (open.has(key(index, other)) && random() < 0.5) disconnect(index, other);
      else {
        connect(index, other);
        counts.reconnects++;
      }
    }
  }

  // The network heals: every link opens, every message arrives, everyone reads the whole log.
  side = side.map(() => 0);
  for (let a = 0; a < BROWSERS; a++)
    for (let b = a + 1; b < BROWSERS; b++) if (linked(a, b)) connect(a, b);
  while (inFlight.length) {
    const batch = inFlight;
    inFlight = [];
    for (const m of batch) browsers[m.to]?.links.received(m.from, m.bytes);
  }
  for (const browser of browsers) {
    await browser.projection.ingest(log.slice(browser.projection.cursor), log.length, {
      live: false,
    });
    await project(browser);
  }
  return { browsers, log, converted, assigned, lastTagOp, counts };
}

function docState(doc: Y.Doc): unknown {
  return {
    assignments: assignments(doc).toJSON(),
    tags: tags(doc).toJSON(),
    customers: customers(doc).toJSON(),
  };
}

describe('convergence of the real sync code under a hostile network', () => {
  for (const topology of ['mesh', 'ring'] as const) {
    for (const seed of [1, 2, 3, 42, 2026]) {
      it(`every browser ends identical and nothing is lost (${topology}, seed ${String(seed)})`, async () => {
        const run = await simulate(seed, 4_000, topology);
        const [first, ...rest] = run.browsers;
        if (!first) throw new Error('no browsers');
        const expected = docState(first.doc);
        const leadsOf = async (b: Browser) =>
          (await b.db.leads.toArray()).map((l) => ({ id: l.id, facts: l.facts, team: l.team }));
        const expectedLeads = await leadsOf(first);
        for (const browser of rest) {
          expect(docState(browser.doc)).toEqual(expected);
          expect(await leadsOf(browser)).toEqual(expectedLeads);
        }

        // The simulation really exercised the network and the edits.
        expect(run.counts.edits).toBeGreaterThan(700);
        expect(run.counts.dropped).toBeGreaterThan(50);
        expect(run.counts.duplicated).toBeGreaterThan(20);
        expect(run.counts.partitions).toBeGreaterThan(50);
        expect(run.counts.reconnects).toBeGreaterThan(50);

        // Every captured page view, exactly once.
        const visits = expectedLeads.reduce((n, l) => n + l.facts.pageViews, 0);
        expect(visits).toBe(run.log.length);
        for (const lead of expectedLeads) {
          expect(lead.facts.pageViews).toBe(run.log.filter((e) => e.visitorId === lead.id).length);
        }

        // Every conversion holds, in the doc and in the leads; nothing converted that nobody did.
        expect(new Set(customers(first.doc).keys())).toEqual(run.converted);
        for (const lead of expectedLeads)
          expect(lead.team.customer).toBe(run.converted.has(lead.id));

        // A tag whose last operation was an add is there (a concurrent remove cannot erase it).
        for (const [tagKey, op] of run.lastTagOp) {
          const { leadId, tag } = splitTagKey(`${tagKey}/`);
          if (op === 'add') expect(first.tags.has(leadId, tag), tagKey).toBe(true);
        }
        for (const tagKey of tags(first.doc).keys()) {
          const { leadId, tag } = splitTagKey(tagKey);
          expect(run.lastTagOp.has(`${leadId}/${tag}`)).toBe(true);
        }
        for (const lead of expectedLeads)
          expect(lead.team.tags).toEqual(first.tags.tagsOf(lead.id));

        // Each lead's assignee is one somebody chose for it, in the doc and in the leads.
        for (const [lead, assignment] of assignments(first.doc)) {
          expect(run.assigned.get(lead)?.has(assignment.to)).toBe(true);
        }
        for (const lead of expectedLeads) {
          expect(lead.team.assignee).toBe(assignments(first.doc).get(lead.id)?.to ?? null);
        }
        for (const browser of run.browsers) browser.db.close();
      }, 60_000);
    }
  }
});
