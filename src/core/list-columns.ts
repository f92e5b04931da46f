/**
 * What the lead list's filters and orders read, kept by slot in typed arrays (see lead-list.ts):
 * stage, assignee and tags as small codes, activity and score. A pass over a million leads
 * reads these few compact arrays instead of a million objects spread over the heap.
 */
import type { ListEntry } from './list-query.ts';
import { STAGES, type Stage } from './stage.ts';

/** Tags with a bit of their own (the first ones seen); a lead with any later tag has OTHER_TAGS. */
export const TAG_BITS = 31;
export const OTHER_TAGS = 1 << TAG_BITS;

const STAGE_CODE = new Map<Stage, number>(STAGES.map((stage, i) => [stage, i]));

/** The stages as bits of `1 << stage code`. */
export function stageBits(stages: Iterable<Stage>): number {
  let bits = 0;
  for (const stage of stages) bits |= 1 << (STAGE_CODE.get(stage) ?? 0);
  return bits;
}

export class ListColumns {
  stage = new Uint8Array(1024);
  /** The assignee's code, 0 when unassigned. */
  assignee = new Int32Array(1024);
  tags = new Uint32Array(1024);
  activity = new Float64Array(1024);
  score = new Uint8Array(1024);
  /** Changed since the orders were last brought up to date. */
  moved = new Uint8Array(1024);
  /** Assignee → code (1, 2, …) and tag → code: never dropped, so codes stay put. */
  readonly #members = new Map<string, number>();
  readonly #tags = new Map<string, number>();
  readonly #tagNames: string[] = [];

  /** Makes room for `slot`. */
  fit(slot: number): void {
    if (slot < this.stage.length) return;
    let size = this.stage.length;
    while (slot >= size) size *= 2;
    const stage = new Uint8Array(size);
    const assignee = new Int32Array(size);
    const tags = new Uint32Array(size);
    const activity = new Float64Array(size);
    const score = new Uint8Array(size);
    const moved = new Uint8Array(size);
    stage.set(this.stage);
    assignee.set(this.assignee);
    tags.set(this.tags);
    activity.set(this.activity);
    score.set(this.score);
    moved.set(this.moved);
    Object.assign(this, { stage, assignee, tags, activity, score, moved });
  }

  set(slot: number, entry: ListEntry, score: number): void {
    this.stage[slot] = STAGE_CODE.get(entry.stage) ?? 0;
    this.assignee[slot] = entry.assignee === '' ? 0 : this.#memberCode(entry.assignee);
    this.tags[slot] = this.#tagBits(entry.tags);
    this.activity[slot] = entry.lastActivity;
    this.score[slot] = score;
  }

  /** A member's code; -1 for one no lead was ever assigned to. */
  memberCode(member: string): number {
    return this.#members.get(member) ?? -1;
  }

  /** A tag's code; -1 for one no lead ever had. */
  tagCode(tag: string): number {
    return this.#tags.get(tag) ?? -1;
  }

  tagName(code: number): string {
    return this.#tagNames[code] ?? '';
  }

  #memberCode(member: string): number {
    let code = this.#members.get(member);
    if (code === undefined) this.#members.set(member, (code = this.#members.size + 1));
    return code;
  }

  #tagBits(tags: readonly string[]): number {
    let bits = 0;
    for (const tag of tags) {
      let code = this.#tags.get(tag);
      if (code === undefined) {
        code = this.#tagNames.length;
        this.#tags.set(tag, code);
        this.#tagNames.push(tag);
      }
      bits |= code < TAG_BITS ? 1 << code : OTHER_TAGS;
    }
    return bits >>> 0;
  }
}
