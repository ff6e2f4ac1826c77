import { badInput } from '../common/errors';
import type { PreparedStatements } from '../db/prepared';
import { HashtagRepository } from './hashtag.repository';

export const MAX_TAGS_PER_EVENT = 50;

/** An event's tags once folded: first-seen spelling per folded key, in first-seen order. */
export interface EventTags {
  tags: string[];
  folded: string[];
}

/**
 * Turns tag names into hashtag timelines, in set-based statements whatever the number of events and tags
 * (SPEC section 6):
 * 1. fold every name and read the existing hashtag timelines (one statement, index scans);
 * 2. insert only the missing ones, `on conflict do nothing`, in folded-key order (no deadlock), in the
 *    caller's transaction;
 * 3. re-read, in a new statement, what a concurrent transaction created meanwhile: a statement's
 *    snapshot predates that commit, so step 2 cannot return it.
 * Existing timelines are only read: a hot tag costs no lock and no write per event.
 */
export class TagResolver {
  private readonly foldedOf = new Map<string, string>();
  private readonly timelineOf = new Map<string, number>();

  /** Folds `names` by the database's rule and notes their existing hashtag timelines. */
  async load(sql: PreparedStatements, names: readonly string[]): Promise<void> {
    const unknown = [...new Set(names)].filter((name) => !this.foldedOf.has(name));
    if (unknown.length === 0) return;
    for (const row of await new HashtagRepository(sql).foldAndFind(unknown)) this.note(row.name, row.folded, row.timelineId);
  }

  /** The folded key of a loaded name. */
  folded(name: string): string | undefined {
    return this.foldedOf.get(name);
  }

  /** `candidates` (all loaded) de-duplicated by folded key; more than 50 is BAD_USER_INPUT naming the 51st. */
  distinct(candidates: readonly string[]): EventTags {
    const result: EventTags = { tags: [], folded: [] };
    const seen = new Set<string>();
    for (const name of candidates) {
      const folded = this.foldedOf.get(name)!;
      if (seen.has(folded)) continue;
      if (seen.size === MAX_TAGS_PER_EVENT) {
        throw badInput(`An event has at most ${MAX_TAGS_PER_EVENT} distinct tags; "${name}" is one too many`, { tag: name });
      }
      seen.add(folded);
      result.tags.push(name);
      result.folded.push(folded);
    }
    return result;
  }

  /** Whether every tag in `wanted` (loaded) has its hashtag timeline already: `timelines` then writes nothing. */
  resolvesAll(wanted: readonly EventTags[]): boolean {
    return wanted.every(({ folded }) => folded.every((key) => this.timelineOf.has(key)));
  }

  /**
   * The hashtag timeline id of every tag in `wanted` (loaded; several events' tags, in first-seen order,
   * whose spelling names a created timeline), creating the missing ones as `createdById`.
   */
  async timelines(sql: PreparedStatements, wanted: readonly EventTags[], createdById: number): Promise<Map<string, number>> {
    const hashtags = new HashtagRepository(sql);
    const spelling = new Map<string, string>();
    for (const { tags, folded } of wanted) folded.forEach((key, i) => spelling.has(key) || spelling.set(key, tags[i]));
    // A name can go missing again only if its timeline is deleted between two statements: retry a little.
    for (let attempt = 0; attempt < 3; attempt++) {
      const missing = [...spelling.keys()].filter((key) => !this.timelineOf.has(key));
      if (missing.length === 0) break;
      const names = missing.map((key) => spelling.get(key)!);
      const created = await hashtags.insertMissing(names, createdById);
      for (const row of created) this.timelineOf.set(row.folded, row.timelineId);
      if (created.length < names.length) {
        const raced = names.filter((name) => !this.timelineOf.has(this.foldedOf.get(name)!));
        for (const row of await hashtags.foldAndFind(raced)) this.note(row.name, row.folded, row.timelineId);
      }
    }
    const unresolved = [...spelling.keys()].filter((key) => !this.timelineOf.has(key));
    if (unresolved.length > 0) throw new Error(`Hashtag timelines kept disappearing while resolving: ${unresolved.join(', ')}`);
    return new Map([...spelling.keys()].map((key) => [key, this.timelineOf.get(key)!]));
  }

  private note(name: string, folded: string, timelineId: number | null): void {
    this.foldedOf.set(name, folded);
    if (timelineId !== null) this.timelineOf.set(folded, timelineId);
  }
}
