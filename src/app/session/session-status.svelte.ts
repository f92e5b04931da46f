/** What the UI shows about an open workspace: intake, leadership, team, backup, diagnostics. */
import { DEFAULT_SETTINGS, type Member, type Settings } from '../../core/ledger.ts';
import type { IntakeStatus } from './intake.ts';
import type { Presence } from './team-sync.ts';

export interface Diagnostics {
  /** Envelopes dropped because they could not be opened or failed validation. */
  dropped: number;
  /** Visits the widget excluded as bots or automation. */
  excluded: number;
}

export class SessionStatus {
  /** The member this tab is, to tell "me" in the team. */
  readonly memberId: string;
  constructor(memberId: string) {
    this.memberId = memberId;
  }

  intake = $state<IntakeStatus>('offline');
  intakeDetail = $state('');
  leader = $state(false);
  diagnostics = $state<Diagnostics>({ dropped: 0, excluded: 0 });
  /** The team doc is loaded from storage (see `Session.load`). */
  loaded = $state(false);
  /** The workspace's own data (name, intake key) has arrived: false while joining. */
  joined = $state(false);
  /** Why joining is stuck (wrong secret, relay unreachable), for the joining screen. */
  joinError = $state('');
  /** Open tabs of the team (this one included), from awareness. */
  online = $state<Presence[]>([]);
  /** Teammates connected over WebRTC right now. */
  peers = $state(0);
  /** Last snapshot this tab stored on or loaded from the relay. */
  backup = $state<{ version: number; at: number } | undefined>();
  backupError = $state('');
  /** Every tag in use in the workspace, for suggestions and filters. */
  tagsInUse = $state<string[]>([]);
  /** The team as the verified ledger says: members and roles, admin settings. */
  team = $state<{ members: Member[]; settings: Settings; rejected: number }>({
    members: [],
    settings: DEFAULT_SETTINGS,
    rejected: 0,
  });

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
