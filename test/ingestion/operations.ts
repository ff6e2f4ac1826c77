import type { TestApi } from '../support/api';
import type { TestUser } from '../support/factories';

export const EVENT_FIELDS = `id title description type url mediaUrl eventDate tags createdAt
  createdBy { id } timeline { id } timelines { id name type formattedName }`;

export const CREATE_EVENT = `mutation($input: CreateEventInput!) { createEvent(input: $input) { ${EVENT_FIELDS} } }`;
export const INGEST_EVENTS = `mutation($inputs: [CreateEventInput!]!) { ingestEvents(inputs: $inputs) { ${EVENT_FIELDS} } }`;

export async function createEvent(api: TestApi, user: TestUser, input: Record<string, unknown>) {
  return (await api.gql(CREATE_EVENT, { input }, user.token)).createEvent;
}

/** The hashtag timelines whose name folds like `name` (the database's folding). */
export async function hashtagsNamed(api: TestApi, name: string): Promise<{ id: number; name: string }[]> {
  const { rows } = await api.db.query(
    `select id, name from timeline where timeline_type = 'hashtag' and upper(name collate "und-x-icu") = upper($1::text collate "und-x-icu")`,
    [name],
  );
  return rows;
}

/** Event ids listed on a timeline, from the listing table itself. */
export async function listedOn(api: TestApi, timelineId: number | string): Promise<number[]> {
  const { rows } = await api.db.query('select event_id from event_timeline_refs where timeline_id = $1 order by event_id', [timelineId]);
  return rows.map((row) => row.event_id as number);
}

export async function counts(api: TestApi) {
  const { rows } = await api.db.query(
    `select (select count(*) from event)::int as events, (select count(*) from timeline)::int as timelines,
       (select count(*) from event_timeline_refs)::int as listings`,
  );
  return rows[0] as { events: number; timelines: number; listings: number };
}
