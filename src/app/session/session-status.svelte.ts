/** What the UI shows about an open workspace: intake status, leadership, diagnostics. */
import type { IntakeStatus } from './intake.ts';

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
}
