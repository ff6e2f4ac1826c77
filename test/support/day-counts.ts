/** Something that runs SQL: a pg client or pool. */
interface Queryable {
  query(sql: string): Promise<{ rows: any[] }>;
}

/**
 * Where `event_day_count` (summed over shards, per timeline, day and hidden home) differs from the listings
 * themselves: none when the maintained counts are exact.
 */
export async function dayCountDrift(db: Queryable) {
  const { rows } = await db.query(
    `select timeline_id, day::text, hidden_home, m.n as maintained, l.n as listed from (
       select timeline_id, day, hidden_home, sum(count)::int as n from event_day_count group by 1, 2, 3 having sum(count) <> 0) m
     full join (
       select r.timeline_id, r.event_date::date as day,
         case when r.timeline_id <> h.id and not coalesce(h.timeline_type <> 'personal' and h.visibility = 'public', false) then h.id else 0 end as hidden_home,
         count(*)::int as n
       from event_timeline_refs r join event e on e.id = r.event_id left join timeline h on h.id = e.timeline_id group by 1, 2, 3) l
     using (timeline_id, day, hidden_home)
     where m.n is distinct from l.n`,
  );
  return rows;
}
