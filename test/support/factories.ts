import { randomBytes } from 'node:crypto';
import type { TestApi } from './api';

export interface TestUser {
  id: string;
  username: string;
  token: string;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}_${++counter}_${randomBytes(3).toString('hex')}`;

/** Signs up a user through the API. */
export async function newUser(api: TestApi, overrides: { username?: string; password?: string } = {}): Promise<TestUser> {
  const username = overrides.username ?? unique('user');
  const data = await api.gql(
    `mutation($u: String!, $p: String!) { signUp(username: $u, password: $p) { token user { id username } } }`,
    { u: username, p: overrides.password ?? 'correct horse battery' },
  );
  return { id: data.signUp.user.id, username: data.signUp.user.username, token: data.signUp.token };
}

export interface TestTimeline {
  id: string;
  name: string;
  formattedName: string;
  type: string;
}

/** Creates a timeline through the API as `owner`. */
export async function newTimeline(
  api: TestApi,
  owner: TestUser,
  overrides: { name?: string; type?: 'HASHTAG' | 'COMMUNITY' | 'PERSONAL'; visibility?: 'PUBLIC' | 'PRIVATE'; description?: string } = {},
): Promise<TestTimeline> {
  const data = await api.gql(
    `mutation($input: CreateTimelineInput!) { createTimeline(input: $input) { id name formattedName type } }`,
    { input: { name: overrides.name ?? unique('Timeline'), type: overrides.type ?? 'HASHTAG', visibility: overrides.visibility, description: overrides.description } },
    owner.token,
  );
  return data.createTimeline;
}

/**
 * Inserts an event directly with SQL, listed on its home timeline and on `alsoOn`, as ingestion would
 * list it. For tests of reading; ingestion has tests of its own.
 */
export async function insertEvent(
  api: TestApi,
  fields: { title?: string; createdBy: string; homeId?: string | null; alsoOn?: string[]; eventDate?: Date; tags?: string[] },
): Promise<string> {
  const date = fields.eventDate ?? new Date();
  const { rows } = await api.db.query(
    `insert into event (title, event_date, created_by, timeline_id, tags) values ($1, $2, $3, $4, $5) returning id`,
    [fields.title ?? unique('Event'), date.toISOString(), fields.createdBy, fields.homeId ?? null, fields.tags ?? []],
  );
  const id = rows[0].id as number;
  const listings = [...(fields.homeId ? [fields.homeId] : []), ...(fields.alsoOn ?? [])];
  for (const timelineId of listings) {
    await api.db.query(`insert into event_timeline_refs (event_id, timeline_id, event_date) values ($1, $2, $3)`, [id, timelineId, date.toISOString()]);
  }
  return String(id);
}
