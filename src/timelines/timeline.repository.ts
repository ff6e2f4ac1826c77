import { statement, writeStatement, type PreparedStatements } from '../db/prepared';
import type { TimelineKind } from './timeline.entity';
import { folded, foldedParam } from './timeline-names';
import { columns, type EntityRow } from '../db/columns';
import { Timeline } from './timeline.entity';
import { timelineVisibleTo } from './timeline-visibility';

/** A timeline as the API reads it (the GraphQL `Timeline` type's parent). */
export type TimelineRow = EntityRow<Timeline>;

/** Every column of `timeline`, aliased `t`. */
export const TIMELINE_COLUMNS = columns(Timeline, 't');

const FOLDED = folded('t.name');

const FIND_BY_IDS = statement(
  'timeline.findByIds',
  `select ${TIMELINE_COLUMNS} from timeline t where t.id = any($1::int[]) and ${timelineVisibleTo('t', '$2')}`,
);

const FIND_PUBLIC_BY_NAME = Object.fromEntries(
  (['hashtag', 'community'] as const).map((type) => [
    type,
    statement(
      `timeline.findByName.${type}`,
      `select ${TIMELINE_COLUMNS} from timeline t
       where ${FOLDED} = ${foldedParam('$1')} and t.timeline_type = '${type}' and ${timelineVisibleTo('t', '$2')}`,
    ),
  ]),
) as Record<'hashtag' | 'community', ReturnType<typeof statement>>;

const FIND_PERSONAL_BY_NAME = statement(
  'timeline.findByName.personal',
  `select ${TIMELINE_COLUMNS} from timeline t
   where ${FOLDED} = ${foldedParam('$1')} and t.timeline_type = 'personal' and t.created_by = $2`,
);

const LIST = statement(
  'timeline.list',
  `select ${TIMELINE_COLUMNS} from timeline t
   where ($1::text is null or t.timeline_type = $1)
     and ($2::text is null or ${FOLDED} like '%' || ${foldedParam('$2')} || '%')
     and t.id > $3 and ${timelineVisibleTo('t', '$4')}
   order by t.id
   limit $5`,
);

const FIND_PRIVATE_COMMUNITY = statement(
  'timeline.findPrivateCommunity',
  `select ${TIMELINE_COLUMNS} from timeline t where t.id = $1 and t.timeline_type = 'community' and t.visibility = 'private'`,
);

const LOCK = writeStatement('timeline.lock', `select id from timeline where id = $1 for update`);

/**
 * `deleteTimeline`, in this order inside one transaction (the foreign keys have no cascade): the listings
 * of the events homed on it (wherever they are listed), the other events' listings on it, those events,
 * then the timeline (its memberships and viewers cascade).
 */
const DELETE_HOMED_LISTINGS = writeStatement(
  'timeline.delete.homedListings',
  `delete from event_timeline_refs r using event e where e.timeline_id = $1 and r.event_id = e.id`,
);
const DELETE_LISTINGS = writeStatement(
  'timeline.delete.listings',
  `with removed as (delete from event_timeline_refs r where r.timeline_id = $1 returning 1) select count(*)::int as count from removed`,
);
const DELETE_EVENTS = writeStatement(
  'timeline.delete.events',
  `with removed as (delete from event e where e.timeline_id = $1 returning 1) select count(*)::int as count from removed`,
);
const DELETE = writeStatement('timeline.delete', `delete from timeline where id = $1`);

export interface TimelineFilter {
  type?: TimelineKind;
  /** Matched case-insensitively (the database's folding) anywhere in the base name. */
  search?: string;
  afterId: number;
  limit: number;
}

export class TimelineRepository {
  constructor(private readonly db: PreparedStatements) {}

  /** The timelines among `ids` that `viewerId` may see. */
  findVisibleByIds(ids: readonly number[], viewerId: number | null): Promise<TimelineRow[]> {
    return this.db.rows<TimelineRow>(FIND_BY_IDS, [ids, viewerId]);
  }

  /** A hashtag or community timeline by base name, if `viewerId` may see it; personal: the viewer's own. */
  findByName(type: TimelineKind, name: string, viewerId: number | null): Promise<TimelineRow | undefined> {
    if (type === 'personal') return viewerId === null ? Promise.resolve(undefined) : this.db.row(FIND_PERSONAL_BY_NAME, [name, viewerId]);
    return this.db.row<TimelineRow>(FIND_PUBLIC_BY_NAME[type], [name, viewerId]);
  }

  findVisible(filter: TimelineFilter, viewerId: number | null): Promise<TimelineRow[]> {
    const pattern = filter.search === undefined ? null : filter.search.replace(/[\\%_]/g, (c) => `\\${c}`);
    return this.db.rows<TimelineRow>(LIST, [filter.type ?? null, pattern, filter.afterId, viewerId, filter.limit]);
  }

  /** A private community whether or not `viewerId` may see it: anyone may ask to join one by id. */
  findPrivateCommunity(id: number): Promise<TimelineRow | undefined> {
    return this.db.row<TimelineRow>(FIND_PRIVATE_COMMUNITY, [id]);
  }

  /** Locks the timeline's row until the end of the transaction (nothing may list an event on it meanwhile). */
  async lock(id: number): Promise<void> {
    await this.db.rows(LOCK, [id]);
  }

  /** See DELETE_HOMED_LISTINGS; only inside a transaction. */
  async deleteWithEvents(id: number): Promise<{ deletedEvents: number; removedListings: number }> {
    await this.db.rows(DELETE_HOMED_LISTINGS, [id]);
    const removedListings = (await this.db.row<{ count: number }>(DELETE_LISTINGS, [id]))!.count;
    const deletedEvents = (await this.db.row<{ count: number }>(DELETE_EVENTS, [id]))!.count;
    await this.db.rows(DELETE, [id]);
    return { deletedEvents, removedListings };
  }
}
