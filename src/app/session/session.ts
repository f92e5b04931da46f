/**
 * An open workspace in this tab, as the UI sees it. The work happens off the page's thread:
 * the team worker holds the team doc and everything done with it (intake, projection, the
 * verified team, the relay snapshot — see `src/team/workspace.ts`); the list worker holds the
 * list and answers its questions. The page hands the two workers a channel of their own once,
 * then relays nothing between them; it holds what only a page can: the WebRTC connections to
 * teammates (team-sync.ts) and the reactive status the UI reads.
 */
import * as Comlink from 'comlink';
import { ObservableV2 } from 'lib0/observable';
import type { Failure } from '../../contracts/errors.ts';
import type { ListApi, ListEvents, ListPage } from '../../contracts/list.ts';
import type { RelaySnapshot, TeamApi, TeamEvents } from '../../contracts/team.ts';
import type { AppConfig } from '../config.ts';
import type { OverviewFigures, Period } from '../../core/overview.ts';
import type { ListQuery } from '../../core/list-query.ts';
import type { ScoredRow } from '../../core/lead.ts';
import type { LeadDetail } from '../../core/lead-detail.ts';
import type { Member, Role, Settings } from '../../core/ledger.ts';
import type { WorkspaceRecord } from '../../data/db.ts';
import { SessionStatus } from './session-status.svelte.ts';
import { TeamSync } from './team-sync.ts';

/** Signed changes to the team, made as this member (admin-only ones are checked by every peer). */
export interface TeamChanges {
  rename(name: string): Promise<void>;
  setRole(member: Member, role: Exclude<Role, 'owner'>): Promise<void>;
  setSetting<K extends keyof Settings>(name: K, value: Settings[K]): Promise<void>;
  /** Removes a member for good; answers who the new team secret could not reach. */
  removeMember(memberId: string): Promise<string[]>;
}

export interface SessionEvents {
  /** Leads that just crossed into Hot (in every tab of this member). */
  hot: (rows: ScoredRow[]) => void;
  /** Visitors who just wrote (in every tab of this member). */
  message: (rows: ScoredRow[]) => void;
  /** The window of the list last shown, again, after it changed. */
  page: (page: ListPage) => void;
  /** The lead being watched changed (null: it is gone). */
  lead: (leadId: string, detail: LeadDetail | null) => void;
  /** The Overview's figures for the period it watches changed. */
  overview: (figures: OverviewFigures) => void;
  /** A background failure the user should hear about. */
  error: (failure: Failure) => void;
  /** The team secret changed and this browser holds the new one: open the workspace afresh. */
  reopen: () => void;
  /** The relay refused the invite this browser joined with: the workspace cannot open. */
  refused: () => void;
}

/** How long a returning member's list may wait for its first paint before the doc loads. */
const FIRST_PAINT_GRACE_MS = 1_500;

export class Session extends ObservableV2<SessionEvents> {
  readonly record: WorkspaceRecord;
  readonly #workers: Worker[] = [];
  readonly #list: Comlink.Remote<ListApi>;
  readonly #listOpened: Promise<void>;
  #teamWorker: Comlink.Remote<TeamApi> | undefined;
  #sync: TeamSync | undefined;
  #closed = false;
  #clockOffsetMs = 0;
  #iceServers: RTCIceServer[] = [];
  #listShown: () => void = () => {};

  /** Reactive state the UI reads. */
  readonly status: SessionStatus;

  private constructor(record: WorkspaceRecord) {
    super();
    this.record = record;
    this.status = new SessionStatus(record.memberId);
    const list = new Worker(new URL('../../../workers/list.worker.ts', import.meta.url), {
      type: 'module',
    });
    this.#workers.push(list);
    this.#list = Comlink.wrap<ListApi>(list);
    const events: ListEvents = {
      page: (page) => {
        this.#counted(page);
        this.emit('page', [page]);
      },
      overview: (figures) => {
        this.emit('overview', [figures]);
      },
      hot: (rows) => {
        this.emit('hot', [rows]);
      },
      message: (rows) => {
        this.emit('message', [rows]);
      },
      error: (failure) => {
        this.emit('error', [failure]);
      },
    };
    this.#listOpened = this.#list.open(record.id, Comlink.proxy(events));
  }

  /**
   * Opens the workspace in two steps, so a large one shows its list at once: `open` starts the
   * list worker (it reads its own copy of the list); `load`, once the list shows, starts the
   * team worker, which loads the team doc and starts sync, intake and the rest. Until
   * `status.loaded`, team edits and lead details are not available.
   */
  /** `config`: the team worker's clock offset and the ICE servers (see AppConfig). */
  static open(
    record: WorkspaceRecord,
    config: Pick<AppConfig, 'clockOffsetMs' | 'iceServers'> = { iceServers: [] },
  ): Session {
    const session = new Session(record);
    session.#clockOffsetMs = config.clockOffsetMs ?? 0;
    session.#iceServers = config.iceServers;
    // A member who has been here before has the workspace stored; a new one waits for it.
    session.status.joined = record.intakePublicKey !== '';
    return session;
  }

  /**
   * The team worker, started at first use (normally `load`): starting it alongside the list
   * worker would slow the first paint on a machine with few cores.
   */
  get #team(): Comlink.Remote<TeamApi> {
    if (!this.#teamWorker) {
      const worker = new Worker(new URL('../../../workers/team.worker.ts', import.meta.url), {
        type: 'module',
      });
      this.#workers.push(worker);
      this.#teamWorker = Comlink.wrap<TeamApi>(worker);
    }
    return this.#teamWorker;
  }

  /** What the team worker tells this page. */
  #teamEvents(): TeamEvents {
    return {
      status: (patch) => {
        this.status.apply(patch);
        if (patch.secretEpoch) this.emit('reopen', []);
        if (patch.join?.stage === 'refused') this.emit('refused', []);
        // The invite gave no intake key: the workspace's own data has it.
        if (patch.workspace && !this.record.intakePublicKey) {
          this.record.intakePublicKey = patch.workspace.intakePublicKey;
        }
      },
      lead: (leadId, detail) => {
        this.emit('lead', [leadId, detail]);
      },
      toPeer: (link, bytes) => {
        this.#sync?.send(link, bytes);
      },
      error: (failure) => {
        this.emit('error', [failure]);
      },
    };
  }

  /** The list shows its first rows: loading the doc may now compete for the processor. */
  listShown(): void {
    this.#listShown();
  }

  /** Loads the team doc and starts everything that needs it (see `open`). */
  async load(): Promise<void> {
    // A returning member sees the stored list first; a new one has nothing to show yet.
    if (this.status.joined) {
      const shown = new Promise<void>((resolve) => (this.#listShown = resolve));
      await Promise.race([shown, new Promise((r) => setTimeout(r, FIRST_PAINT_GRACE_MS))]);
    }
    await this.#listOpened;
    // The workers' own channel: the team worker feeds the list worker lead changes.
    const feed = new MessageChannel();
    await this.#list.connect(Comlink.transfer(feed.port1, [feed.port1]));
    await this.#team.open(
      this.record,
      Comlink.proxy(this.#teamEvents()),
      Comlink.transfer(feed.port2, [feed.port2]),
      this.#clockOffsetMs,
    );
    await this.#team.load();
    if (this.#closed) return;
    this.#sync = await TeamSync.start(this.record, this.status, this.#team, this.#iceServers);
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
      removeMember: (memberId) => team.removeMember(memberId),
    };
  }

  // Team edits on a lead, made as this member; they reach teammates through the doc.
  assign(leadId: string, to: string | null): Promise<void> {
    return this.#team.assign(leadId, to);
  }
  tag(leadId: string, tag: string): Promise<void> {
    return this.#team.tag(leadId, tag);
  }
  untag(leadId: string, tag: string): Promise<void> {
    return this.#team.untag(leadId, tag);
  }
  markCustomer(leadId: string): Promise<void> {
    return this.#team.markCustomer(leadId);
  }
  write(leadId: string, text: string): Promise<void> {
    return this.#team.write(leadId, text);
  }
  block(leadId: string, blocked: boolean): Promise<void> {
    return this.#team.block(leadId, blocked);
  }
  markRead(leadId: string, at: number): Promise<void> {
    return this.#team.markRead(leadId, at);
  }
  blockedMessages(): Promise<number> {
    return this.#team.blockedMessages();
  }
  /** The Overview's figures for a period, then `overview` events as they change (see ListApi). */
  watchOverview(period: Period | undefined): Promise<OverviewFigures | undefined> {
    return this.#list.watchOverview(period);
  }
  relaySnapshot(): Promise<RelaySnapshot> {
    return this.#team.relaySnapshot();
  }

  /** One window of the lead list; the list worker pushes it again (`page`) when it changes. */
  async show(query: ListQuery, offset: number, limit: number): Promise<ListPage> {
    await this.#listOpened;
    return this.#counted(await this.#list.show(query, offset, limit));
  }

  /** Every window carries this member's unread count: the title shows it. */
  #counted(page: ListPage): ListPage {
    if (page.unreadConversations !== undefined) {
      this.status.unreadConversations = page.unreadConversations;
    }
    return page;
  }
  async listIds(query: ListQuery): Promise<string[]> {
    await this.#listOpened;
    return this.#list.ids(query);
  }

  /** The lead shown (undefined: none) as it is now; `lead` events follow its changes. */
  watchLead(leadId: string | undefined): Promise<LeadDetail | null> {
    return this.#team.watchLead(leadId);
  }
  leadDetails(leadIds: string[]): Promise<(LeadDetail | undefined)[]> {
    return this.#team.leadDetails(leadIds);
  }

  close(): void {
    this.#closed = true;
    this.#sync?.destroy();
    void this.#teamWorker?.close();
    void this.#list.close();
    for (const worker of this.#workers) worker.terminate();
    this.destroy();
  }
}

/**
 * A plain copy of UI state (which may be reactive proxies, which cannot cross to a worker).
 * Team records are JSON by design.
 */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
