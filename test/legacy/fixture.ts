import type pg from 'pg';

/**
 * The mess SPEC section 7 and issue 6 describe, as the Flask application could have left it in the V1 schema
 * (whose global UNIQUE(name) compares raw strings, so every variant below fits it).
 */
export const LEGACY_TIMELINES: [key: string, name: string, type: string, owner: string | null][] = [
  ['climate', '#Climate', 'Hashtag', 'alice'],
  ['climate2', 'climate', 'hashtag', 'bob'],
  ['climate3', 'CLIMATE', 'HASHTAG', null],
  ['barHash', '#Bar', 'hashtag', 'alice'],
  ['bar', 'Bar', 'hashtag', 'bob'],
  ['fooCommunity', 'i-Foo', 'COMMUNITY', 'alice'],
  ['fooCommunity2', 'i-foo', 'community', 'bob'],
  ['fooHashtag', 'Foo', 'hashtag', 'carol'],
  ['diaryAlice', 'My-Diary', 'Personal', 'alice'],
  ['diaryBob', 'my-diary', 'personal', 'bob'],
  ['notesOrphan', 'My-Notes', 'personal', null],
  ['emptyOrphan', 'My-Empty', 'PERSONAL', null],
  ['strasse', 'Straße', 'hashtag', 'alice'],
  ['strasse2', '#STRASSE', 'hashtag', 'bob'],
  ['spaced', '#  Spaced   Name ', 'hashtag', 'carol'],
  ['fish', 'ﬁsh', 'hashtag', 'carol'],
  ['unknown', 'Reading List', 'List', 'carol'],
  ['misfiled', 'i-Mixed', 'hashtag', 'alice'],
];

export type LegacyIds = { users: Record<string, number>; timelines: Record<string, number>; events: Record<string, number> };

/** Seeds the legacy rows into a database at the first (V1) migration; returns the ids by key. */
export async function seedLegacyData(db: pg.Client): Promise<LegacyIds> {
  const users: Record<string, number> = {};
  for (const username of ['alice', 'bob', 'carol']) {
    users[username] = (await db.query(`insert into "user" (username) values ($1) returning id`, [username])).rows[0].id;
  }
  const timelines: Record<string, number> = {};
  let day = 0;
  for (const [key, name, type, owner] of LEGACY_TIMELINES) {
    timelines[key] = (
      await db.query(
        `insert into timeline (name, timeline_type, created_by, created_at) values ($1, $2, $3, timestamp '2020-01-01' + $4 * interval '1 day') returning id`,
        [name, type, owner ? users[owner] : null, day++],
      )
    ).rows[0].id;
  }
  // Events on every kind of timeline; `bob` wrote the first event on the owner-less `My-Notes`.
  const homes: [event: string, home: string, by: string][] = [
    ['e1', 'climate', 'alice'], ['e2', 'climate2', 'bob'], ['e3', 'climate3', 'carol'], ['e4', 'barHash', 'alice'],
    ['e5', 'bar', 'bob'], ['e6', 'fooCommunity', 'alice'], ['e7', 'fooCommunity2', 'bob'], ['e8', 'fooHashtag', 'carol'],
    ['e9', 'diaryAlice', 'alice'], ['e10', 'diaryBob', 'bob'], ['e11', 'notesOrphan', 'bob'], ['e12', 'notesOrphan', 'alice'],
    ['e13', 'strasse', 'alice'], ['e14', 'strasse2', 'bob'], ['e15', 'spaced', 'carol'], ['e16', 'unknown', 'carol'],
    ['e17', 'misfiled', 'alice'],
  ];
  const events: Record<string, number> = {};
  let minute = 0;
  for (const [key, home, by] of homes) {
    events[key] = (
      await db.query(
        `insert into event (title, event_date, timeline_id, created_by, created_at)
         values ($1, timestamp '2021-06-01' + $2 * interval '1 hour', $3, $4, timestamp '2021-06-01' + $2 * interval '1 minute') returning id`,
        [`Event ${key}`, minute++, timelines[home], users[by]],
      )
    ).rows[0].id;
  }
  // References: on other timelines, to merge candidates, duplicated, and one duplicate across a merge.
  const refs: [string, string][] = [
    ['e1', 'climate2'], ['e1', 'climate2'], ['e1', 'climate3'], ['e2', 'climate'], ['e3', 'climate'],
    ['e4', 'bar'], ['e5', 'barHash'], ['e6', 'fooHashtag'], ['e6', 'fooHashtag'], ['e8', 'fooCommunity'],
    ['e9', 'climate'], ['e13', 'strasse2'], ['e14', 'strasse'], ['e15', 'fish'], ['e16', 'climate3'],
    ['e1', 'climate'], ['e1', 'climate'],
  ];
  for (const [event, timeline] of refs) {
    await db.query('insert into event_timeline_refs (event_id, timeline_id) values ($1, $2)', [events[event], timelines[timeline]]);
  }
  return { users, timelines, events };
}
