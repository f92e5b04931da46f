/**
 * The lead table: folds each changed lead's page views into facts and writes the list row
 * (list fields and score facts only; the detail and exports fold the rest from the doc on
 * demand, and the lists compute scores with the rules in force).
 */
import { foldPageViews, summarize, type LeadSummary } from '../core/lead.ts';
import type { PageView } from '../core/capture.ts';
import { HOT, scoreOf, type ScoringRules } from '../core/scoring.ts';
import type { TeamFacts } from '../core/team-doc.ts';
import type { LeadRow, WorkspaceDb } from '../data/db.ts';

/** One lead's inputs: all its page views and what teammates decided about it. */
export interface LeadViews {
  visitorId: string;
  views: PageView[];
  team: TeamFacts;
}

/** The list row of a lead: its summary's list fields and what teammates decided. */
function rowOf(summary: LeadSummary, team: TeamFacts, rev: number): LeadRow {
  const row: LeadRow = {
    id: summary.id,
    displayName: summary.displayName,
    generatedName: summary.generatedName,
    stage: summary.stage,
    scoring: summary.scoring,
    sourceDomain: summary.sourceDomain,
    channel: summary.channel,
    lastActivity: summary.lastActivity,
    assignee: team.assignee ?? '',
    tags: team.tags,
    rev,
  };
  if (summary.country) row.country = summary.country;
  return row;
}

/**
 * Folds, scores and stores the given leads; returns the leads whose score just crossed into
 * Hot (70+). `quiet` is a pass over every lead (the list's first build after a join, a
 * re-score after the rules changed): nothing alerts — every lead would be "new" or "changed" —
 * and dirty marks stay for the next normal pass.
 */
export async function project(
  db: WorkspaceDb,
  leads: LeadViews[],
  rules: ScoringRules,
  quiet: boolean,
): Promise<string[]> {
  const rev = Date.now();
  const rows: LeadRow[] = [];
  const gone: string[] = [];
  for (const lead of leads) {
    const facts = foldPageViews(lead.views);
    if (!facts) {
      gone.push(lead.visitorId);
      continue;
    }
    facts.customer = lead.team.customer;
    rows.push(rowOf(summarize(facts, rules), lead.team, rev));
  }
  const turnedHot: string[] = [];
  await db.transaction('rw', db.leads, db.dirty, async () => {
    if (!quiet) {
      const before = await db.leads.bulkGet(rows.map((r) => r.id));
      const hot = (r: LeadRow): boolean => scoreOf(r.scoring, rules).score >= HOT;
      rows.forEach((row, i) => {
        const old = before[i];
        if (hot(row) && !(old && hot(old))) turnedHot.push(row.id);
      });
      await db.dirty.bulkDelete(leads.map((l) => l.visitorId));
    }
    await db.leads.bulkPut(rows);
    if (gone.length) await db.leads.bulkDelete(gone);
  });
  return turnedHot;
}
