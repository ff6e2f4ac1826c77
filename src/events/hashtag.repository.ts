import { statement, writeStatement, type PreparedStatements } from '../db/prepared';
import { folded, PUBLIC_NAME_CONFLICT } from '../timelines/timeline-names';

/**
 * Hand-written SQL for the ingestion hot path: the ORM cannot express "insert the missing ones, skip the
 * rest, never touch existing rows". Every statement repeats `timeline_public_name_unique`'s expression
 * and predicate literally, so that lookups are index scans and `on conflict` finds that index (see `timeline-names.ts`).
 */
const FOLDED = folded('t.name');
const FOLDED_INPUT = folded('n.name');

/**
 * Every name's folded key and, when it exists, its hashtag timeline (never another type's). One index probe
 * per name: the lateral lookup (its `limit 1` keeps the planner from flattening it into a join) stops the
 * generic plan from hashing every hashtag's folded name, which it chose as the cheaper one for a few thousand
 * hashtags, the ICU fold of each row costing about 1 µs (4 ms per call at 4,000 hashtags; see
 * `test/ingestion/hashtag-plan.test.ts`).
 */
export const FOLD_AND_FIND = statement(
  'hashtag.foldAndFind',
  `select n.name, ${FOLDED_INPUT} as folded, t.id as "timelineId"
   from unnest($1::text[]) as n(name)
   left join lateral (
     select t.id from timeline t where ${FOLDED} = ${FOLDED_INPUT} and t.timeline_type = 'hashtag' limit 1
   ) t on true`,
);

/**
 * Inserts in the order of the conflict key itself: two transactions creating overlapping sets of new tags
 * then wait on each other's rows in the same order, which cannot deadlock. A name that a concurrent
 * transaction has inserted (committed or not) is skipped, never locked or rewritten, and not returned.
 */
const INSERT_MISSING = writeStatement(
  'hashtag.insertMissing',
  `insert into timeline as t (name, timeline_type, visibility, requires_approval, created_by)
   select n.name, 'hashtag', 'public', false, $2::int from unnest($1::text[]) as n(name)
   order by ${FOLDED_INPUT}
   on conflict ${PUBLIC_NAME_CONFLICT} do nothing
   returning t.id as "timelineId", ${FOLDED} as folded`,
);

export interface FoldedName {
  name: string;
  folded: string;
  timelineId: number | null;
}

export class HashtagRepository {
  constructor(private readonly db: PreparedStatements) {}

  /** One row per name, in no particular order. */
  foldAndFind(names: readonly string[]): Promise<FoldedName[]> {
    return this.db.rows<FoldedName>(FOLD_AND_FIND, [names]);
  }

  /** The hashtag timelines this statement created, by folded name; names taken meanwhile are absent. */
  insertMissing(names: readonly string[], createdById: number): Promise<{ timelineId: number; folded: string }[]> {
    return this.db.rows(INSERT_MISSING, [names, createdById]);
  }
}
