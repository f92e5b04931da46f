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
}
