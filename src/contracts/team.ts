/**
 * The team worker's contract with the page: what the page may ask (`TeamApi`) and what the
 * worker tells it (`TeamEvents`). The worker holds the open workspace — the team doc, intake,
 * the leads — off the page's thread (see src/team/workspace.ts).
 */
import type { LeadDetail } from '../core/lead-detail.ts';
import type { Member, Role, Settings } from '../core/ledger.ts';
import type { WorkspaceRecord } from '../data/db.ts';
import type { Failure } from './errors.ts';

export type IntakeStatus = 'connecting' | 'live' | 'offline' | 'refused';

export interface Diagnostics {
  /** Envelopes dropped because they could not be opened or failed validation. */
  dropped: number;
  /** Visits the widget excluded as bots or automation. */
  excluded: number;
}

/** This browser's latest retention sweep (see core/sweep.ts). */
export interface LastSweep {
  /** When it ran. */
  at: number;
  /** Leads it removed. */
  removed: number;
  /** Leads every sweep in this browser has removed. */
  total: number;
  /** Events stored at or before this time (the relay's clock) were swept. */
  horizon: number;
}

/** Where joining stands while the workspace's own data has not arrived (see `joined`). */
export type JoinStage =
  /** Asking the relay for the team's encrypted backup. */
  | { stage: 'fetching' }
  /** The relay holds no backup yet: the workspace arrives once a teammate is online. */
  | { stage: 'waiting_for_team' }
  /** The relay could not be asked (`failure`): tried again at `retryAt` (epoch ms). */
  | { stage: 'retrying'; failure: Failure; retryAt: number }
  /** The relay refused the link's secret, or knows no such workspace: this link cannot join. */
  | { stage: 'refused'; failure: Failure };

/** The encrypted backup (the relay snapshot), as this browser knows it. */
export interface BackupStatus {
  /** The last snapshot this browser stored on the relay, or loaded from it. */
  lastSuccess?: { version: number; at: number; action: 'stored' | 'loaded' };
  /** The last attempt that failed and why (shown beside the last success, never instead). */
  lastFailure?: { at: number; failure: Failure };
}

/** What the relay holds now: its snapshot's version and size, or none (null). */
export type RelaySnapshot = { version: number; bytes: number } | null;

/** The team as the verified ledger says: members and roles, admin settings. */
export interface VerifiedTeam {
  members: Member[];
  settings: Settings;
  rejected: number;
}

export interface WorkspaceStatus {
  intake: IntakeStatus;
  intakeDetail: string;
  /**
   * This tab leads intake, projection and the relay snapshot (true), another tab of this browser
   * does (false), or that is not known yet (undefined: nothing may claim either).
   */
  leader: boolean | undefined;
  diagnostics: Diagnostics;
  /** The team doc is loaded from storage. */
  loaded: boolean;
  /** The workspace's own data (name, intake key) has arrived: false while joining. */
  joined: boolean;
  /** Where joining stands, for the joining screen. */
  join: JoinStage;
  /** The workspace's shared name and intake key, once they have arrived. */
  workspace: { name: string; intakePublicKey: string } | undefined;
  backup: BackupStatus;
  /** Sync messages from teammates' browsers that could not be read, and changed nothing. */
  unreadableSync: number;
  /** Every tag in use in the workspace, for suggestions and filters. */
  tagsInUse: string[];
  team: VerifiedTeam;
  sweep: LastSweep | undefined;
  /**
   * This browser's standing in the team: a member; removed for good; or left out of a change
   * of the team secret (it had published no key to seal the new one to: a new invite is needed).
   */
  access: 'member' | 'removed' | 'left_out';
  /** The team secret changed and this browser holds the new one: the page opens it afresh. */
  secretEpoch: number;
  /** This browser's storage for the app is full: new visits wait on the relay until there is room. */
  storageFull: boolean;
}

export type StatusPatch = Partial<WorkspaceStatus>;

/** What the team worker tells the page. */
export interface TeamEvents {
  status: (patch: StatusPatch) => void;
  /** The lead the page watches changed (null: it is gone). */
  lead: (leadId: string, detail: LeadDetail | null) => void;
  /** Sync bytes for a teammate's browser, over the WebRTC link the page holds. */
  toPeer: (link: number, bytes: Uint8Array) => void;
  /** A background failure the user should hear about. */
  error: (failure: Failure) => void;
}

/** What the page asks of the team worker. Failures reject with a plain `Failure`. */
export interface TeamApi {
  /**
   * Readies the workspace (its doc stays empty until `load`). `feed` is this tab's list
   * worker's end of a channel: the team worker tells it, and nobody else, what leads changed.
   */
  /** `clockOffsetMs`: the worker's clock runs this far ahead of the browser's (see AppConfig). */
  open(
    record: WorkspaceRecord,
    events: TeamEvents,
    feed: MessagePort,
    clockOffsetMs: number,
  ): Promise<void>;
  /** Loads the team doc and starts everything that needs it. */
  load(): Promise<void>;
  // Team edits on a lead, made as this member; they reach teammates through the doc.
  assign(leadId: string, to: string | null): Promise<void>;
  tag(leadId: string, tag: string): Promise<void>;
  untag(leadId: string, tag: string): Promise<void>;
  markCustomer(leadId: string): Promise<void>;
  /** Writes to a lead's visitor (into the team doc, and sealed into their mailbox). */
  write(leadId: string, text: string): Promise<void>;
  /** Blocks (or unblocks) a lead's visitor: their further messages are dropped and counted. */
  block(leadId: string, blocked: boolean): Promise<void>;
  /** How many messages from blocked visitors were dropped, all leads together. */
  blockedMessages(): Promise<number>;
  /** Asks the relay what snapshot it holds now (for Diagnostics). */
  relaySnapshot(): Promise<RelaySnapshot>;
  /** This member has read the lead's conversation up to `at` (never back in time). */
  markRead(leadId: string, at: number): Promise<void>;
  // Signed changes to the team.
  rename(name: string): Promise<void>;
  setRole(member: Member, role: Exclude<Role, 'owner'>): Promise<void>;
  setSetting<K extends keyof Settings>(name: K, value: Settings[K]): Promise<void>;
  /**
   * Removes a member for good (owner or admin): the team secret changes, for everyone else.
   * Answers the names of members the new secret could not reach.
   */
  removeMember(memberId: string): Promise<string[]>;
  /**
   * The lead the page shows (undefined: none): everything known of it in one answer, then a
   * `lead` event each time that lead — and no other — changes.
   */
  watchLead(leadId: string | undefined): Promise<LeadDetail | null>;
  /** Several leads at once, for an export (undefined for a lead that is gone). */
  leadDetails(leadIds: string[]): Promise<(LeadDetail | undefined)[]>;
  // The page's WebRTC links to teammates' browsers (see DocLinks).
  linkOpened(link: number): void;
  linkClosed(link: number): void;
  linkReceived(link: number, bytes: Uint8Array): void;
  close(): void;
}
