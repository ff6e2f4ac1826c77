import { timelineGoneIsNotFound } from '../common/db-errors';
import { ApiError, badInput, type ErrorCode } from '../common/errors';
import type { Scope } from '../common/scope';
import type { PreparedStatements } from '../db/prepared';
import type { TimelineService } from '../timelines/timeline.service';
import type { UserService } from '../users/user.service';
import type { TimelineRow } from '../timelines/timeline.repository';
import { EVENT_ADDED_CHANNEL } from './event-bus';
import type { CreateEventInput } from '../generated/graphql';
import { checkEventFields, type EventFields } from './event-input';
import type { EventRow } from './event.repository';
import { EventRepository, type NewEvent } from './event.repository';
import { tagCandidates } from './tag-parser';
import { TagResolver } from './tag-resolver';

export const MAX_INGEST_BATCH = 100;

/** An input checked before anything is written: its own fields, its home timeline, its tag candidates. */
interface CheckedInput {
  fields: EventFields;
  home: TimelineRow | null;
  candidates: string[];
}

/**
 * `createEvent` and `ingestEvents` (SPEC section 6). Inputs are checked first (fields, tags, posting
 * permission); then every tag of every event is folded and resolved together (set-based, see
 * `TagResolver`), and the events are inserted with their listings and their `eventAdded` notifications,
 * which PostgreSQL sends on commit only, all or nothing. An event homed on a personal timeline keeps its
 * tags but is listed nowhere else.
 */
export class EventIngestion {
  constructor(
    private readonly scope: Scope,
    private readonly users: UserService,
    private readonly timelines: TimelineService,
  ) {}

  async createOne(input: CreateEventInput): Promise<EventRow> {
    const createdById = this.users.requireViewer();
    const [event] = await this.write([await this.check(input)], createdById, (_, work) => work());
    return event;
  }

  /** All or nothing; an error names the index of the first input at fault. */
  async createMany(inputs: readonly CreateEventInput[]): Promise<EventRow[]> {
    const createdById = this.users.requireViewer();
    if (inputs.length > MAX_INGEST_BATCH) throw badInput(`ingestEvents takes at most ${MAX_INGEST_BATCH} events, got ${inputs.length}`);
    if (inputs.length === 0) return [];
    const settled = await Promise.allSettled(inputs.map((input, index) => atIndex(index, () => this.check(input))));
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const checked = settled.map((result) => (result as PromiseFulfilledResult<CheckedInput>).value);
    return this.write(checked, createdById, atIndex);
  }

  private async check(input: CreateEventInput): Promise<CheckedInput> {
    const fields = checkEventFields(input);
    const candidates = tagCandidates(input);
    const home = input.timelineId == null ? null : await this.timelines.postable(input.timelineId);
    return { fields, home, candidates };
  }

  private async write(checked: readonly CheckedInput[], createdById: number, blame: Blame): Promise<EventRow[]> {
    // A home or hashtag timeline may be deleted between the permission check and the insert.
    return this.insert(checked, createdById, blame).catch(timelineGoneIsNotFound);
  }

  /**
   * One read folds and finds every tag; then the writes, all or nothing. When a tag has no hashtag timeline yet,
   * they are one unit of work: the missing timelines are created and the events inserted with their listings, so
   * that a failed insert leaves no new timeline behind. When every tag has one (nearly every write to a live
   * service), the only write is `insertListed`, one statement, atomic by itself: it is the whole unit of work,
   * and a transaction around it would only add BEGIN, COMMIT and knex's transaction, about 0.12 ms of CPU per
   * write (docs/database.md, "Units of work").
   */
  private async insert(checked: readonly CheckedInput[], createdById: number, blame: Blame): Promise<EventRow[]> {
    const resolver = new TagResolver();
    await resolver.load(this.scope.db, checked.flatMap((event) => event.candidates));
    const tags = checked.map((event, index) => blame(index, () => resolver.distinct(event.candidates)));
    const listsTags = checked.map((event) => event.home?.timelineType !== 'personal');
    const listedTags = tags.filter((_, i) => listsTags[i]);
    const write = async (db: PreparedStatements) => {
      const timelineOf = await resolver.timelines(db, listedTags, createdById);
      const events: NewEvent[] = checked.map((event, i) => {
        const listings = new Set<number>(event.home ? [event.home.id] : []);
        if (listsTags[i]) for (const key of tags[i].folded) listings.add(timelineOf.get(key)!);
        return { ...event.fields, tags: tags[i].tags, timelineId: event.home?.id ?? null, listings: [...listings] };
      });
      return new EventRepository(db).insertListed(events, createdById, EVENT_ADDED_CHANNEL);
    };
    return resolver.resolvesAll(listedTags) ? write(this.scope.db) : this.scope.db.transaction(write);
  }
}

/** Runs the work for `inputs[index]`, naming that index in an error it raises, or not (a single input). */
type Blame = <T>(index: number, work: () => T) => T;

/** The error gets `inputs[i]: ` in its message and `extensions.index`. */
function atIndex<T>(index: number, work: () => T): T {
  try {
    const result = work();
    return (result instanceof Promise ? result.catch((error: unknown) => Promise.reject(withIndex(index, error))) : result) as T;
  } catch (error) {
    throw withIndex(index, error);
  }
}

function withIndex(index: number, error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  const { code, ...extensions } = error.extensions as { code: ErrorCode } & Record<string, unknown>;
  return new ApiError(code, `inputs[${index}]: ${error.message}`, { ...extensions, index });
}
