/**
 * What the team worker tells the page about the open workspace. The page keeps these fields in
 * its reactive status (`SessionStatus`); the worker sends only what changed.
 */
import type { Member, Settings } from '../core/ledger.ts';
import type { IntakeStatus } from './intake.ts';

export interface Diagnostics {
  /** Envelopes dropped because they could not be opened or failed validation. */
  dropped: number;
  /** Visits the widget excluded as bots or automation. */
  excluded: number;
}

/** The team as the verified ledger says: members and roles, admin settings. */
export interface VerifiedTeam {
  members: Member[];
  settings: Settings;
  rejected: number;
}

export interface WorkspaceStatus {
  intake: IntakeStatus;
  intakeDetail: string;
  /** This tab leads intake, projection and the relay snapshot. */
  leader: boolean;
  diagnostics: Diagnostics;
  /** The team doc is loaded from storage. */
  loaded: boolean;
  /** The workspace's own data (name, intake key) has arrived: false while joining. */
  joined: boolean;
  /** Why joining is stuck (wrong secret, relay unreachable), for the joining screen. */
  joinError: string;
  /** The workspace's shared name and intake key, once they have arrived. */
  workspace: { name: string; intakePublicKey: string } | undefined;
  /** Last snapshot this tab stored on or loaded from the relay. */
  backup: { version: number; at: number } | undefined;
  backupError: string;
  /** Sync messages from teammates' browsers that could not be read, and changed nothing. */
  unreadableSync: number;
  /** Every tag in use in the workspace, for suggestions and filters. */
  tagsInUse: string[];
  team: VerifiedTeam;
}

export type StatusPatch = Partial<WorkspaceStatus>;
