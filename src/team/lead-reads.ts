/**
 * Reading leads for the page: the lead it shows — everything known of it in one answer, and
 * again whenever that lead, and no other, changes — and leads in bulk for an export.
 */
import { detailOf, type LeadDetail } from '../core/lead-detail.ts';
import type { ScoringRules } from '../core/scoring.ts';
import type { WorkspaceDb } from '../data/db.ts';
import type { LeadFeed } from './lead-feed.ts';
import type { TeamEdits } from './team-edits.ts';

/** What a lead's detail is read with: the rules it is scored by, the text of automatic replies. */
export interface ReadContext {
  rules: ScoringRules;
  awayText: string;
}

export class LeadReads {
  readonly #db: WorkspaceDb;
  readonly #edits: TeamEdits;
  readonly #context: () => ReadContext;
  readonly #onLead: (leadId: string, detail: LeadDetail | null) => void;
  #watched: string | undefined;
  /** Bumped by every watch and refresh: an older read's answer is dropped. */
  #reads = 0;

  constructor(
    db: WorkspaceDb,
    feed: LeadFeed,
    edits: TeamEdits,
    context: () => ReadContext,
    onLead: (leadId: string, detail: LeadDetail | null) => void,
  ) {
    this.#db = db;
    this.#edits = edits;
    this.#context = context;
    this.#onLead = onLead;
    feed.on('changed', (change) => {
      const id = this.#watched;
      if (id !== undefined && (change.rows.some((r) => r.id === id) || change.gone.includes(id))) {
        this.refresh();
      }
    });
    // A team message changes the conversation, not always the stored lead.
    edits.on('messages', (leads) => {
      if (this.#watched !== undefined && leads.has(this.#watched)) this.refresh();
    });
  }

  /** The lead the page shows from now on (undefined: none), as it is now. */
  async watch(leadId: string | undefined): Promise<LeadDetail | null> {
    this.#watched = leadId;
    this.#reads++;
    return leadId === undefined ? null : this.#read(leadId);
  }

  /** Tells the page about the watched lead again (it changed, or the rules did). */
  refresh(): void {
    const id = this.#watched;
    if (id === undefined) return;
    const read = ++this.#reads;
    void this.#read(id).then(
      (detail) => {
        if (read === this.#reads && this.#watched === id) this.#onLead(id, detail);
      },
      () => {
        // The next change reads it again.
      },
    );
  }

  async #read(leadId: string): Promise<LeadDetail | null> {
    const lead = await this.#db.leads.get(leadId);
    return lead ? detailOf(lead, this.#context(), this.#edits.messagesOf(leadId)) : null;
  }

  async details(leadIds: string[]): Promise<(LeadDetail | undefined)[]> {
    const context = this.#context();
    const leads = await this.#db.leads.bulkGet(leadIds);
    return leads.map((lead) =>
      lead ? detailOf(lead, context, this.#edits.messagesOf(lead.id)) : undefined,
    );
  }
}
