import { ApiError, badInput, notFound, type ErrorCode } from '../common/errors';
import { decodeCursor, encodeCursor, pageSize, parseId, toConnection, type Connection, type PageArgs } from '../common/pagination';
import { createLoaders } from '../server/loaders';
import type { Context } from '../server/context';
import type { TimelineRecord } from '../timelines/timeline.record';
import { EVENT_ADDED_CHANNEL, encodeEventAdded } from './event-bus';
import { checkEventFields, type CreateEventInput, type EventFields } from './event-input';
import type { EventRecord } from './event.record';
import { EventRepository, type ListingKey, type NewEvent } from './event.repository';
import { filterMap } from './mailbox';
import { tagCandidates } from './tag-parser';
import { TagResolver } from './tag-resolver';

export const MAX_INGEST_BATCH = 100;

/** An input checked outside the transaction: its fields, home timeline and tag candidates. */
interface CheckedInput {
  fields: EventFields;
  home: TimelineRecord | null;
  candidates: string[];
}

const NEWEST: ListingKey = { eventDate: 'infinity', id: 0 };
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;

export class EventService {
  constructor(private readonly context: Context) {}

  async byId(rawId: string): Promise<EventRecord | null> {
    return (await this.context.loaders.event.load(parseId(rawId, 'event id'))) ?? null;
  }

  /** A page of the events listed on a timeline the caller can already see. */
  async page(timeline: TimelineRecord, args: PageArgs): Promise<Connection<EventRecord>> {
    const limit = pageSize(args.first);
    const after = args.after ? listingKey(args.after) : NEWEST;
    const rows = await this.context.loaders.page.load({ timelineId: timeline.id, after, limit: limit + 1 });
    return toConnection(rows, limit, (e) => encodeCursor('event', [e.eventDate, e.id]));
  }

  listings(event: EventRecord): Promise<TimelineRecord[]> {
    return this.context.loaders.listings.load(event.id);
  }

  async create(input: CreateEventInput): Promise<EventRecord> {
    const createdById = this.context.users.requireViewer();
    const [event] = await this.insert([await this.check(input)], createdById);
    return event;
  }

  /** Up to 100 events, all or nothing; an error names the index of the input at fault. */
  async ingest(inputs: readonly CreateEventInput[]): Promise<EventRecord[]> {
    const createdById = this.context.users.requireViewer();
    if (inputs.length > MAX_INGEST_BATCH) throw badInput(`ingestEvents takes at most ${MAX_INGEST_BATCH} events, got ${inputs.length}`);
    if (inputs.length === 0) return [];
    const settled = await Promise.allSettled(inputs.map((input, index) => atIndex(index, () => this.check(input))));
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const checked = settled.map((result) => (result as PromiseFulfilledResult<CheckedInput>).value);
    return this.insert(checked, createdById, true);
  }

  /**
   * Events newly listed on a timeline the subscriber can see (else NOT_FOUND), re-checked for each
   * delivery with fresh loaders: the subscriber gets only what they may see at that moment.
   */
  async subscribeAdded(rawTimelineId: string): Promise<AsyncIterableIterator<EventRecord>> {
    const timeline = await this.context.timelines.byId(rawTimelineId);
    if (!timeline || !this.context.eventBus) throw notFound('Timeline');
    return filterMap(this.context.eventBus.subscribe(timeline.id), async (eventId) => {
      this.context.loaders = createLoaders(this.context.sql, this.context.viewerId);
      const [stillVisible, event] = await Promise.all([this.context.loaders.timeline.load(timeline.id), this.context.loaders.event.load(eventId)]);
      return stillVisible ? event : undefined;
    });
  }

  private async check(input: CreateEventInput): Promise<CheckedInput> {
    const fields = checkEventFields(input);
    const candidates = tagCandidates(input);
    const home = input.timelineId == null ? null : await this.context.timelines.postable(input.timelineId);
    return { fields, home, candidates };
  }

  /**
   * One transaction: fold and resolve every event's tags together (set-based, see `TagResolver`), then
   * insert the events with their listings and queue their `eventAdded` notifications, which PostgreSQL
   * sends on commit only. A personal home keeps the tags on the event but lists it nowhere else.
   */
  private insert(checked: readonly CheckedInput[], createdById: number, batch = false): Promise<EventRecord[]> {
    return this.context.sql.transaction(async (sql) => {
      const resolver = new TagResolver(sql);
      await resolver.load(checked.flatMap((event) => event.candidates));
      const tags = checked.map((event, index) => (batch ? atIndexSync(index, () => resolver.distinct(event.candidates)) : resolver.distinct(event.candidates)));
      const listsTags = (event: CheckedInput) => event.home?.type !== 'personal';
      const timelineOf = await resolver.timelines(tags.filter((_, i) => listsTags(checked[i])), createdById);
      const events: NewEvent[] = checked.map((event, i) => {
        const listings = new Set<number>(event.home ? [event.home.id] : []);
        if (listsTags(event)) for (const key of tags[i].folded) listings.add(timelineOf.get(key)!);
        return { ...event.fields, tags: tags[i].tags, timelineId: event.home?.id ?? null, listings: [...listings] };
      });
      const repository = new EventRepository(sql);
      const inserted = await repository.insertListed(events, createdById);
      const notices = inserted
        .map((event, i) => ({ eventId: event.id, timelineIds: events[i].listings }))
        .filter((added) => added.timelineIds.length > 0)
        .map(encodeEventAdded);
      await repository.notify(EVENT_ADDED_CHANNEL, notices);
      return inserted;
    });
  }
}

/** Runs `work` for `inputs[index]`, naming the index in any error it raises (message and `extensions.index`). */
async function atIndex<T>(index: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw withIndex(index, error);
  }
}

function atIndexSync<T>(index: number, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw withIndex(index, error);
  }
}

function withIndex(index: number, error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  const { code, ...extensions } = error.extensions as { code: ErrorCode } & Record<string, unknown>;
  return new ApiError(code, `inputs[${index}]: ${error.message}`, { ...extensions, index });
}

function listingKey(cursor: string): ListingKey {
  const [eventDate, id] = decodeCursor('event', cursor);
  if (typeof eventDate !== 'string' || !TIMESTAMP.test(eventDate) || !Number.isSafeInteger(id) || (id as number) < 0) {
    throw badInput('"after" is not a valid cursor for this list');
  }
  return { eventDate, id: id as number };
}
