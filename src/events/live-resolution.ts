import type { MikroORM } from '@mikro-orm/postgresql';
import { statement, PreparedStatements } from '../db/prepared';
import { StatementCounter, type CountedLogContext } from '../db/statement-counter';
import { Loaders } from '../server/loaders';
import { TIMELINE_COLUMNS, type TimelineRow } from '../timelines/timeline.repository';
import { timelineVisibleTo } from '../timelines/timeline-visibility';
import { UserRepository, type UserRow } from '../users/user.repository';
import { EVENT_COLUMNS, type EventRow } from './event.repository';

/** The event as it is now, whoever asks (visibility is decided per viewer from `LIVE_TIMELINES`). */
const LIVE_EVENT = statement('live.event', `select ${EVENT_COLUMNS} from event e where e.id = $1`);

/**
 * Every timeline a delivery of event `$3` may show (the subscribed ones `$2`, its home `$4`, and wherever it
 * is listed), each with the viewers among `$1` (null: anonymous) who may see it, and whether it lists the event.
 */
const LIVE_TIMELINES = statement(
  'live.timelines',
  `select ${TIMELINE_COLUMNS},
     array(select v.viewer from unnest($1::int[]) as v(viewer) where ${timelineVisibleTo('t', 'v.viewer')}) as "visibleTo",
     exists (select 1 from event_timeline_refs r where r.event_id = $3 and r.timeline_id = t.id) as "listsEvent"
   from timeline t
   where t.id = any($2::int[]) or t.id = $4
     or t.id in (select r.timeline_id from event_timeline_refs r where r.event_id = $3)
   order by t.id`,
);

/** A viewer as a map key: null (anonymous) is one viewer. */
type ViewerKey = number | null;

/**
 * One event as every subscriber of this process sees it, read once per event (SPEC section 13): three
 * statements whatever the number of subscribers, set-based over their distinct viewers. Each viewer then gets
 * `Loaders` primed with what they may see, so that their selection runs from memory (a field beyond the event,
 * its timelines and its creator loads as in any operation, batched for all subscribers of that viewer).
 */
export class ResolvedEvent {
  private readonly loaders = new Map<ViewerKey, Loaders>();
  private readonly removals = new Map<number, { eventId: number; timelineId: number }>();

  constructor(
    readonly eventId: number,
    /** The event, undefined when it is gone. */
    private readonly event: EventRow | undefined,
    /** Its home as it was (a removal), or as it is. */
    private readonly homeId: number | null,
    private readonly creator: UserRow | undefined,
    private readonly timelines: Map<number, { row: TimelineRow; visibleTo: Set<ViewerKey>; listsEvent: boolean }>,
    private readonly db: PreparedStatements,
  ) {}

  /** Whether `viewerId` may see `timelineId` now. */
  sees(viewerId: ViewerKey, timelineId: number): boolean {
    return this.timelines.get(timelineId)?.visibleTo.has(viewerId) ?? false;
  }

  /** The event if `viewerId` may see it (it exists, and it has no home or they see its home). */
  eventFor(viewerId: ViewerKey): EventRow | undefined {
    if (!this.event) return undefined;
    return this.homeVisibleTo(viewerId) ? this.event : undefined;
  }

  /** Whether the event's home (as it was) is visible to `viewerId`, or it had none. */
  homeVisibleTo(viewerId: ViewerKey): boolean {
    return this.homeId === null || this.sees(viewerId, this.homeId);
  }

  /** What `eventRemoved` delivers on `timelineId`: one object for every subscriber, so that equal results are shared. */
  removalFrom(timelineId: number): { eventId: number; timelineId: number } {
    let removal = this.removals.get(timelineId);
    if (!removal) this.removals.set(timelineId, (removal = { eventId: this.eventId, timelineId }));
    return removal;
  }

  /** One `Loaders` per viewer, primed with the event, its visible timelines and listings, and its creator. */
  loadersFor(viewerId: ViewerKey): Loaders {
    let loaders = this.loaders.get(viewerId);
    if (loaders) return loaders;
    loaders = new Loaders(this.db, viewerId);
    const listed: TimelineRow[] = [];
    for (const [id, { row, visibleTo, listsEvent }] of this.timelines) {
      const visible = visibleTo.has(viewerId);
      loaders.timeline.prime(id, visible ? row : undefined);
      if (visible && listsEvent) listed.push(row);
    }
    loaders.event.prime(this.eventId, this.eventFor(viewerId));
    if (this.event) loaders.listings.prime(this.eventId, listed);
    if (this.creator) loaders.user.prime(this.creator.id, this.creator);
    this.loaders.set(viewerId, loaders);
    return loaders;
  }
}

/** Resolves each event heard on the bus once, on a fork of its own, for the viewers subscribed to it. */
export class LiveResolver {
  /** Statements run for deliveries (resolution and whatever subscribers' selections needed beyond it). */
  readonly statements = new StatementCounter();

  constructor(private readonly orm: MikroORM) {}

  /**
   * `eventId` for `viewers` subscribed to `timelineIds`; `homeId` given (a removal): the event is not read,
   * its home as it was decides.
   */
  async resolve(eventId: number, timelineIds: readonly number[], viewers: readonly ViewerKey[], removedFromHome?: number | null): Promise<ResolvedEvent> {
    const em = this.orm.em.fork({ loggerContext: { statements: this.statements } satisfies Partial<CountedLogContext> });
    const db = new PreparedStatements(em, this.statements);
    // Committed on the primary a moment ago.
    db.readFromPrimary();
    const removal = removedFromHome !== undefined;
    const event = removal ? undefined : await db.row<EventRow>(LIVE_EVENT, [eventId]);
    const homeId = removal ? removedFromHome : (event?.timeline ?? null);
    const [rows, creators] = await Promise.all([
      db.rows<TimelineRow & { visibleTo: ViewerKey[]; listsEvent: boolean }>(LIVE_TIMELINES, [viewers, timelineIds, eventId, homeId]),
      event ? new UserRepository(db).findByIds([event.createdBy]) : [],
    ]);
    const timelines = new Map(
      rows.map(({ visibleTo, listsEvent, ...row }) => [row.id, { row: row as TimelineRow, visibleTo: new Set(visibleTo), listsEvent }]),
    );
    return new ResolvedEvent(eventId, event, homeId, creators[0], timelines, db);
  }
}
