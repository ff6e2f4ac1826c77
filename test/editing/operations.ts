import type { TestApi } from '../support/api';
import type { TestUser } from '../support/factories';
import { EVENT_FIELDS } from '../ingestion/operations';

export const UPDATE_EVENT = `mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { ${EVENT_FIELDS} } }`;
export const DELETE_EVENT = `mutation($id: ID!) { deleteEvent(id: $id) { id removedListings } }`;
export const SHARE_EVENT = `mutation($e: ID!, $t: ID!) { shareEvent(eventId: $e, timelineId: $t) { ${EVENT_FIELDS} } }`;
export const UNSHARE_EVENT = `mutation($e: ID!, $t: ID!) { unshareEvent(eventId: $e, timelineId: $t) }`;

export async function updateEvent(api: TestApi, user: TestUser, id: string, input: Record<string, unknown>) {
  return (await api.gql(UPDATE_EVENT, { id, input }, user.token)).updateEvent;
}

export async function shareEvent(api: TestApi, user: TestUser, eventId: string, timelineId: string) {
  return (await api.gql(SHARE_EVENT, { e: eventId, t: timelineId }, user.token)).shareEvent;
}

/** Every listing of an event, from the table itself: timeline, kind, sharer, the listing's copy of the date. */
export async function listingsOf(api: TestApi, eventId: string) {
  const { rows } = await api.db.query(
    `select r.timeline_id::text as "timelineId", t.name, r.kind, r.shared_by::text as "sharedBy", r.event_date::text as "eventDate"
     from event_timeline_refs r join timeline t on t.id = r.timeline_id where r.event_id = $1 order by t.name`,
    [eventId],
  );
  return rows as { timelineId: string; name: string; kind: string; sharedBy: string | null; eventDate: string }[];
}

/** Every event whose listings do not match its home, its tags' hashtag timelines and its shares (none: consistent). */
export async function inconsistentEvents(api: TestApi, eventIds: readonly (string | number)[]) {
  const { rows } = await api.db.query(
    `select e.id,
       array(select r.timeline_id from event_timeline_refs r where r.event_id = e.id and r.kind <> 'share' order by 1) as listed,
       array(select x.id from (
         select e.timeline_id as id where e.timeline_id is not null
         union select t.id from unnest(e.tags) tag join timeline t
           on upper(t.name collate "und-x-icu") = upper(tag collate "und-x-icu") and t.timeline_type = 'hashtag'
         where h.timeline_type is distinct from 'personal') x order by 1) as expected
     from event e left join timeline h on h.id = e.timeline_id where e.id = any($1::int[])`,
    [eventIds],
  );
  return rows.filter((row) => JSON.stringify(row.listed) !== JSON.stringify(row.expected));
}
