/**
 * What the leader tab does (one tab per person, see leadership.ts): picks up where the last
 * leader stopped — the doc's stored updates, the cursor, a snapshot fold cut short, leads whose
 * team facts changed — registers the workspace with the relay on its first open, keeps the
 * relay snapshot fresh, and runs intake and retention sweeps.
 */
import { toFailure } from '../contracts/errors.ts';
import type { StatusPatch } from '../contracts/team.ts';
import type { Clock, Timers } from '../contracts/time.ts';
import type { Entry, RetentionDays, WorkspaceInfo } from '../core/ledger.ts';
import { readToken, sha256Hex } from '../core/team-keys.ts';
import { localDb, readMeta, type WorkspaceDb, type WorkspaceRecord } from '../data/db.ts';
import type { DocStore } from './doc-store.ts';
import { Intake, intakeKeysOf, type IntakeKeys } from './intake.ts';
import type { Projection } from './projection.ts';
import { registerWorkspace } from './relay-client.ts';
import type { Snapshots } from './snapshots.ts';
import { Sweeper } from './sweeper.ts';
import { WidgetPublisher } from './widget-publisher.ts';

/** What a restored backup leaves for the leader to take in (see backup-file.ts). */
interface Restoring {
  cursor: number;
  segments: Uint8Array[];
}

export interface LeaderParts {
  record: WorkspaceRecord;
  info: WorkspaceInfo;
  db: WorkspaceDb;
  store: DocStore;
  projection: Projection;
  snapshots: Snapshots | undefined;
  status: (patch: StatusPatch) => void;
  fail: (err: unknown) => void;
  clock: Clock;
  timers: Timers;
  /** The ledger entries verified now (the widget settings are published from them). */
  ledger: () => ReadonlyMap<string, Entry>;
  /** The retention period in force (the verified settings'). */
  retention: () => RetentionDays;
  /** The relay refused this browser's read token (the team secret may have changed). */
  refused: () => void;
}

export class Leader {
  readonly #parts: LeaderParts;
  #intake: Intake | undefined;
  #publisher: WidgetPublisher | undefined;
  #sweeper: Sweeper | undefined;
  #leading = false;

  constructor(parts: LeaderParts) {
    this.#parts = parts;
  }

  get leading(): boolean {
    return this.#leading;
  }

  async start(): Promise<void> {
    const { record, info, db, store, projection, snapshots, status, clock, timers } = this.#parts;
    // Another tab may have led until now: pick up what it stored.
    await store.catchUp();
    await projection.open();
    await projection.resume();
    // A backup restored into this browser: its facts, taken in as a snapshot's are.
    const restoring = await readMeta<Restoring | undefined>(db, 'restoring', undefined);
    if (restoring) {
      await projection.takeIn(restoring.segments, restoring.cursor);
      await db.meta.delete('restoring');
    }
    this.#leading = true;
    status({ leader: true });
    this.reproject(await db.dirty.toCollection().primaryKeys());
    const token = await readToken(record.teamSecret);
    await this.#register(token);
    this.#publisher = new WidgetPublisher({
      relayUrl: record.relayUrl,
      workspaceId: record.id,
      token: () => Promise.resolve(token),
      timers,
    });
    this.#publisher.update(this.#parts.ledger());
    // A snapshot restored on joining carries the facts up to its cursor: the log from there.
    await snapshots?.keep({
      read: () => projection.facts(),
      takeIn: (segments, cursor) => projection.takeIn(segments, cursor),
    });
    // Before intake: facts from before the sweep horizon are told apart from the first batch.
    this.#sweeper = new Sweeper({
      doc: store.doc,
      memberId: record.memberId,
      db,
      projection,
      retention: this.#parts.retention,
      status,
      fail: this.#parts.fail,
      clock,
      timers,
    });
    await this.#sweeper.start();
    let keys: Promise<IntakeKeys> | undefined;
    const intake = (this.#intake = new Intake({
      relayUrl: record.relayUrl,
      workspaceId: record.id,
      token,
      intakeKeys: () => (keys ??= intakeKeysOf(info.intakePrivateKey)),
      projection,
      diagnostics: await readMeta(db, 'diagnostics', { dropped: 0, excluded: 0 }),
      clock,
      timers,
    }));
    intake.on('status', (state, intakeDetail) => {
      status({ intake: state, intakeDetail });
      if (state === 'refused') this.#parts.refused();
    });
    intake.on('caughtUp', (caughtUp) => {
      this.#sweeper?.intake(caughtUp);
    });
    intake.on('trimmed', () => {
      void this.#catchUpFromSnapshot();
    });
    intake.on('diagnostics', (diagnostics) => {
      status({ diagnostics });
    });
    intake.start();
  }

  /**
   * The relay trimmed the log past this browser's cursor (it was away long): what it missed is
   * in the team snapshot, which covers the log at least that far. Tried until it works.
   */
  async #catchUpFromSnapshot(): Promise<void> {
    const { snapshots, status, timers } = this.#parts;
    for (let wait = 1_000; this.#leading; wait = Math.min(30_000, wait * 2)) {
      try {
        await snapshots?.restore();
        // It may have stopped leading meanwhile.
        if (this.leading) this.#intake?.start();
        return;
      } catch (err) {
        status({ intake: 'offline', intakeDetail: toFailure(err).message });
        await new Promise<void>((resolve) => timers.setTimeout(resolve, wait));
      }
    }
  }

  /** The verified ledger changed: the widget settings may need publishing. */
  ledgerChanged(accepted: ReadonlyMap<string, Entry>): void {
    if (this.#leading) this.#publisher?.update(accepted);
  }

  /** The retention period changed: sweep to it now. */
  retentionChanged(): void {
    if (this.#leading) this.#sweeper?.check();
  }

  /** Folds the team doc's new facts into these leads. */
  reproject(ids: Iterable<string>): void {
    if (this.#leading) this.#parts.projection.reproject(ids).catch(this.#parts.fail);
  }

  /** Registers the workspace with the relay (the owner's first open), trying until it works. */
  async #register(token: string): Promise<void> {
    const { record, status, timers } = this.#parts;
    for (let wait = 1_000; !record.registered && this.#leading; wait = Math.min(30_000, wait * 2)) {
      try {
        await registerWorkspace(record.relayUrl, {
          workspace: record.id,
          readTokenHash: await sha256Hex(token),
        });
        record.registered = true;
        await localDb.workspaces.update(record.id, { registered: true });
      } catch (err) {
        status({ intake: 'offline', intakeDetail: toFailure(err).message });
        await new Promise<void>((resolve) => timers.setTimeout(resolve, wait));
      }
    }
  }

  stop(): void {
    this.#leading = false;
    this.#intake?.stop();
    this.#publisher?.stop();
    this.#sweeper?.stop();
    this.#parts.status({ leader: false });
  }
}
