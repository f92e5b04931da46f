/**
 * The engine worker: the heavy, pure-ish work kept off the main thread — opening sealed intake
 * boxes, validating events, folding page views into lead facts, scoring, and writing the lead
 * projection to IndexedDB. The main thread owns the team doc (WebRTC needs it there) and hands
 * this worker plain data. Errors cross the boundary as plain `{ type, message }` objects.
 */
import * as Comlink from 'comlink';
import { checkCaptureEvent, type CaptureEvent, type PageView } from '../src/core/capture.ts';
import { foldPageViews, summarize } from '../src/core/lead.ts';
import type { LogEntry } from '../src/core/relay-protocol.ts';
import type { ScoringRules } from '../src/core/scoring.ts';
import type { TeamFacts } from '../src/core/team-doc.ts';
import { importIntakePrivateKey, open } from '../src/core/seal.ts';
import { WorkspaceDb, type LeadRow } from '../src/data/db.ts';

export interface OpenedBatch {
  events: CaptureEvent[];
  /** Envelopes that failed decryption or validation: dropped, never blocking later ones. */
  dropped: { seq: number; reason: 'undecryptable' | 'invalid' }[];
}

/** One lead's inputs: all its page views and what teammates decided about it. */
export interface LeadViews {
  visitorId: string;
  views: PageView[];
  team: TeamFacts;
}

export interface ProjectionResult {
  projected: number;
  /** Leads whose score crossed into Hot (70+) with this projection. */
  turnedHot: string[];
}

const keys = new Map<string, Promise<CryptoKey>>();
const dbs = new Map<string, WorkspaceDb>();

function dbOf(workspaceId: string): WorkspaceDb {
  let db = dbs.get(workspaceId);
  if (!db) dbs.set(workspaceId, (db = new WorkspaceDb(workspaceId)));
  return db;
}

const api = {
  async openBoxes(
    workspaceId: string,
    privateKey: JsonWebKey,
    entries: LogEntry[],
  ): Promise<OpenedBatch> {
    let key = keys.get(workspaceId);
    if (!key) keys.set(workspaceId, (key = importIntakePrivateKey(privateKey)));
    const k = await key;
    const out: OpenedBatch = { events: [], dropped: [] };
    await Promise.all(
      entries.map(async (entry) => {
        let text: string;
        try {
          text = await open(k, entry.sealed, workspaceId);
        } catch {
          out.dropped.push({ seq: entry.seq, reason: 'undecryptable' });
          return;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          out.dropped.push({ seq: entry.seq, reason: 'invalid' });
          return;
        }
        const checked = checkCaptureEvent(parsed);
        // The event id inside the box must match the id the relay deduplicated on.
        if (!checked.ok || checked.value.id !== entry.id) {
          out.dropped.push({ seq: entry.seq, reason: 'invalid' });
          return;
        }
        out.events.push(checked.value);
      }),
    );
    return out;
  },

  /**
   * Folds, scores and stores the given leads. `quiet` is a pass over every lead (the list's
   * first build after a join, a re-score after the rules changed): nothing alerts — every lead
   * would be "new" or "changed" — and dirty marks stay for the next normal pass. Otherwise
   * returns which leads just turned Hot and clears their dirty marks.
   */
  async project(
    workspaceId: string,
    leads: LeadViews[],
    rules: ScoringRules,
    quiet: boolean,
  ): Promise<ProjectionResult> {
    const db = dbOf(workspaceId);
    const rows: LeadRow[] = [];
    const gone: string[] = [];
    for (const lead of leads) {
      const facts = foldPageViews(lead.views);
      if (!facts) {
        gone.push(lead.visitorId);
        continue;
      }
      facts.customer = lead.team.customer;
      rows.push({
        ...summarize(facts, rules),
        assignee: lead.team.assignee ?? '',
        tags: lead.team.tags,
      });
    }
    const turnedHot: string[] = [];
    await db.transaction('rw', db.leads, db.dirty, async () => {
      if (!quiet) {
        const before = await db.leads.bulkGet(rows.map((r) => r.id));
        rows.forEach((row, i) => {
          const old = before[i];
          if (row.score >= 70 && (!old || old.score < 70)) turnedHot.push(row.id);
        });
        await db.dirty.bulkDelete(leads.map((l) => l.visitorId));
      }
      await db.leads.bulkPut(rows);
      if (gone.length) await db.leads.bulkDelete(gone);
    });
    return { projected: rows.length, turnedHot };
  },
};

export type EngineApi = typeof api;

Comlink.expose(api);
