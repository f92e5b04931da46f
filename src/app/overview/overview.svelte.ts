/**
 * The Overview's state: the period the member chose (remembered per member), and the figures
 * for it, which the list worker computes and pushes again when leads change.
 */
import type { OverviewFigures } from '../../core/overview.ts';
import { storageKey } from '../../core/names.ts';
import { app } from '../app.svelte.ts';
import { remembered } from '../lib/remembered.ts';
import type { Session } from '../session/session.ts';
import { periodOf, type PeriodChoice } from './period.ts';

export class OverviewState {
  readonly #session: Session;
  readonly #memory: { save: (value: PeriodChoice) => void };
  #choice = $state<PeriodChoice>({ kind: 'last', days: 30 });
  #figures = $state.raw<OverviewFigures | undefined>();
  #asked = 0;

  constructor(session: Session) {
    this.#session = session;
    const memory = remembered<PeriodChoice>(
      storageKey.overview(session.record.id, session.record.memberId),
      { kind: 'last', days: 30 },
    );
    this.#memory = memory;
    this.#choice = memory.value;
  }

  get choice(): PeriodChoice {
    return this.#choice;
  }
  set choice(choice: PeriodChoice) {
    this.#choice = choice;
    this.#memory.save($state.snapshot(choice));
    this.#ask();
  }

  get figures(): OverviewFigures | undefined {
    return this.#figures;
  }

  #ask(): void {
    const ticket = ++this.#asked;
    const period = periodOf($state.snapshot(this.#choice), Date.now());
    this.#session.watchOverview(period).then(
      (figures) => {
        if (ticket === this.#asked && figures) this.#figures = figures;
      },
      (err: unknown) => {
        app.handleError(err, 'Could not show the overview');
      },
    );
  }

  /** Shows the figures and follows the worker's pushes; returns the way to stop. */
  start(): () => void {
    const onFigures = (figures: OverviewFigures): void => {
      // A push for the period asked before the last choice is not for this one.
      const period = periodOf($state.snapshot(this.#choice), Date.now());
      if (figures.period.from === period.from && figures.period.to === period.to) {
        this.#figures = figures;
      }
    };
    this.#session.on('overview', onFigures);
    this.#ask();
    return () => {
      this.#session.off('overview', onFigures);
      this.#session.watchOverview(undefined).catch(() => undefined);
    };
  }
}
