/**
 * An open workspace in this tab, as the UI sees it. The work happens off the page's thread:
 * the team worker holds the team doc and everything done with it (intake, projection, the
 * verified team, the relay snapshot — see `src/team/workspace.ts`); the list worker answers
 * list queries. The page holds what only a page can: the WebRTC connections to teammates
 * (team-sync.ts), the reactive status the UI reads, and the workspace database for reads.
 */
import * as Comlink from 'comlink';
import type { PageView } from '../../core/capture.ts';
import type { Member, Role, Settings } from '../../core/ledger.ts';
import type { ListQuery } from '../../core/lead-list.ts';
import { bandOf, scoreOf } from '../../core/scoring.ts';
import { WorkspaceDb, type LeadRow, type ScoredRow, type WorkspaceRecord } from '../../data/db.ts';
import type { LeadDetail, WorkspaceEvents } from '../../team/workspace.ts';
import type { ListApi, ListPage } from '../../../workers/list.worker.ts';
import type { TeamWorkerApi } from '../../../workers/team.worker.ts';
import { SessionStatus } from './session-status.svelte.ts';
import { TeamSync } from './team-sync.ts';

/** Signed changes to the team, made as this member (admin-only ones are checked by every peer). */
export interface TeamChanges {
  rename(name: string): Promise<void>;
  setRole(member: Member, role: Exclude<Role, 'owner'>): Promise<void>;
  setSetting<K extends keyof Settings>(name: K, value: Settings[K]): Promise<void>;
}

export class Session {
  readonly record: WorkspaceRecord;
  readonly db: WorkspaceDb;
  readonly #workers: Worker[] = [];
  readonly #list: Comlink.Remote<ListApi>;
  #teamWorker: Comlink.Remote<TeamWorkerApi> | undefined;
  #sync: TeamSync | undefined;
  #closed = false;

  /** Reactive state the UI reads. */
  readonly status: SessionStatus;
  /** Called, in every tab of this member, with lead ids whose score just crossed into Hot. */
  onHot: (ids: string[]) => void = () => {};
  /** Background failures the user should hear about. */
  onError: (err: unknown) => void = () => {};

  private constructor(record: WorkspaceRecord) {
    this.record = record;
    this.status = new SessionStatus(record.memberId);
    this.db = new WorkspaceDb(record.id);
    const list = new Worker(new URL('../../../workers/list.worker.ts', import.meta.url), {
      type: 'module',
    });
    this.#workers.push(list);
    this.#list = Comlink.wrap<ListApi>(list);
  }

  /**
   * Opens the workspace in two steps, so a large one shows its list at once: `open` readies
   * what the list needs (the list worker indexes the lead table); `load`, once the list shows,
   * has the team worker load the team doc (seconds for 100,000 leads) and start sync, intake
   * and the rest. Until `status.loaded`, team edits and lead details are not available.
   */
  static open(record: WorkspaceRecord): Session {
    const session = new Session(record);
    session.#list.warm(record.id).catch(() => {
      // A failure shows on the list's first real request.
    });
    // A member who has been here before has the workspace stored; a new one waits for it.
    session.status.joined = record.intakePublicKey !== '';
    return session;
  }

  /**
   * The team worker, started at first use (normally `load`): starting it alongside the list
   * worker would slow the first paint on a machine with few cores.
   */
  get #team(): Comlink.Remote<TeamWorkerApi> {
    if (!this.#teamWorker) {
      const worker = new Worker(new URL('../../../workers/team.worker.ts', import.meta.url), {
        type: 'module',
      });
      this.#workers.push(worker);
      this.#teamWorker = Comlink.wrap<TeamWorkerApi>(worker);
    }
    return this.#teamWorker;
  }

  /** What the team worker tells this page. */
  #events(): WorkspaceEvents {
    return {
      status: (patch) => {
        this.status.apply(patch);
        // The invite gave no intake key: the workspace's own data has it.
        if (patch.workspace && !this.record.intakePublicKey) {
          this.record.intakePublicKey = patch.workspace.intakePublicKey;
        }
      },
      hot: (ids) => {
        this.onHot(ids);
      },
      toPeer: (link, bytes) => {
        this.#sync?.send(link, bytes);
      },
      error: (message) => {
        this.onError(new Error(message));
      },
    };
  }

  /** The list shows its first rows: loading the doc may now compete for the processor. */
  listShown(): void {
    this.#listShown();
  }
  #listShown: () => void = () => {};

  /** Loads the team doc and starts everything that needs it (see `open`). */
  async load(): Promise<void> {
    // A returning member sees the stored list first; a new one has nothing to show yet.
    if (this.status.joined) {
      const shown = new Promise<void>((resolve) => (this.#listShown = resolve));
      await Promise.race([shown, new Promise((resolve) => setTimeout(resolve, 1_500))]);
    }
    await this.#team.open(this.record, Comlink.proxy(this.#events()));
    await this.#team.load();
    if (this.#closed) return;
    this.#sync = await TeamSync.start(this.record, this.status, this.#team);
  }

  /** The workspace's shared data; undefined until it has arrived (see `status.joined`). */
  get info(): { name: string; intakePublicKey: string } | undefined {
    return this.status.workspace;
  }
  get sync(): TeamSync | undefined {
    return this.#sync;
  }
  /** Signed changes to the team; they fail while the workspace is still loading. */
  get team(): TeamChanges {
    const team = this.#team;
    return {
      rename: (name) => team.rename(name),
      setRole: (member, role) => team.setRole(plain(member), role),
      setSetting: (name, value) => team.setSetting(name, plain(value)),
    };
  }

  // Team edits on a lead, made as this member; they reach teammates through the doc.
  assign(leadId: string, to: string | null): void {
    this.#team.assign(leadId, to).catch(this.onError);
  }
  tag(leadId: string, tag: string): void {
    this.#team.tag(leadId, tag).catch(this.onError);
  }
  untag(leadId: string, tag: string): void {
    this.#team.untag(leadId, tag).catch(this.onError);
  }
  markCustomer(leadId: string): void {
    this.#team.markCustomer(leadId).catch(this.onError);
  }

  /** One window of the lead list (see the list worker's `list`). */
  list(query: ListQuery, offset: number, limit: number, fresh: boolean): Promise<ListPage> {
    return this.#list.list(this.record.id, query, offset, limit, fresh);
  }
  listIds(query: ListQuery): Promise<string[]> {
    return this.#list.listIds(this.record.id, query);
  }

  /** A stored row with its score under the rules in force. */
  scored(row: LeadRow): ScoredRow {
    const score = scoreOf(row.scoring, this.status.team.settings.scoringRules).score;
    return { ...row, score, band: bandOf(score) };
  }

  /** Everything known of a lead, folded from the doc with the rules in force. */
  leadDetail(leadId: string): Promise<LeadDetail | undefined> {
    return this.#team.leadDetail(leadId);
  }
  leadDetails(leadIds: string[]): Promise<(LeadDetail | undefined)[]> {
    return this.#team.leadDetails(leadIds);
  }
  /** A lead's page views, newest first. */
  visitsOf(leadId: string): Promise<PageView[]> {
    return this.#team.visitsOf(leadId);
  }

  close(): void {
    this.#closed = true;
    this.#sync?.destroy();
    void this.#teamWorker?.close();
    for (const worker of this.#workers) worker.terminate();
    this.db.close();
  }
}

/**
 * A plain copy of UI state (which may be reactive proxies, which cannot cross to a worker).
 * Team records are JSON by design.
 */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
