/** What the UI shows about an open workspace: intake, leadership, team, backup, diagnostics. */
import { DEFAULT_SETTINGS, type Member } from '../../core/ledger.ts';
import type {
  Diagnostics,
  IntakeStatus,
  StatusPatch,
  VerifiedTeam,
  WorkspaceStatus,
} from '../../contracts/team.ts';

/** What each open tab tells the team about itself (over awareness). */
export interface Presence {
  memberId: string;
  name: string;
  /** The lead this member has open, if any, and its name. */
  viewing?: string;
  viewingName?: string;
}

export class SessionStatus implements WorkspaceStatus {
  /** The member this tab is, to tell "me" in the team. */
  readonly memberId: string;
  constructor(memberId: string) {
    this.memberId = memberId;
  }

  // Reported by the team worker (see WorkspaceStatus).
  intake = $state<IntakeStatus>('connecting');
  intakeDetail = $state('');
  leader = $state<boolean | undefined>(undefined);
  diagnostics = $state<Diagnostics>({ dropped: 0, excluded: 0 });
  loaded = $state(false);
  joined = $state(false);
  join = $state<WorkspaceStatus['join']>({ stage: 'fetching' });
  workspace = $state<WorkspaceStatus['workspace']>();
  backup = $state<WorkspaceStatus['backup']>({});
  unreadableSync = $state(0);
  tagsInUse = $state<string[]>([]);
  team = $state<VerifiedTeam>({ members: [], settings: DEFAULT_SETTINGS, rejected: 0 });
  storageFull = $state(false);
  sweep = $state<WorkspaceStatus['sweep']>();
  access = $state<WorkspaceStatus['access']>('member');
  secretEpoch = $state(0);

  // Known on the page itself.
  /** Open tabs of the team (this one included), from awareness. */
  online = $state<Presence[]>([]);
  /** Teammates connected over WebRTC right now. */
  peers = $state(0);
  /** Conversations with messages this member has not read (the list worker counts them). */
  unreadConversations = $state(0);

  apply(patch: StatusPatch): void {
    Object.assign(this, patch);
  }

  /** This member as the verified team knows them (undefined until the team doc is loaded). */
  get me(): Member | undefined {
    return this.team.members.find((m) => m.id === this.memberId);
  }

  /** Owner or admin: may change roles and admin-only settings. */
  get isAdmin(): boolean {
    const role = this.me?.role;
    return role === 'owner' || role === 'admin';
  }
}
