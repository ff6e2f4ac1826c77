import { describe, expect, it } from 'vitest';
import { COUNTS, HISTOGRAMS, PAGES } from '../../src/events/event.repository';
import { errorCode, useTestApi } from '../support/api';
import { insertEvent, newTimeline, newUser, type TestUser } from '../support/factories';
import { createEvent } from '../ingestion/operations';
import { communityOps } from '../memberships/community';

const api = useTestApi();
const community = communityOps(api);

const WINDOW = `query($id: ID!, $first: Int, $after: String, $from: DateTime, $to: DateTime) {
  timeline(id: $id) { events(first: $first, after: $after, from: $from, to: $to) { edges { cursor node { id eventDate } } pageInfo { hasNextPage endCursor } } } }`;
const COUNT = `query($id: ID!, $from: DateTime, $to: DateTime) { timeline(id: $id) { eventCount(from: $from, to: $to) } }`;
const HISTOGRAM = `query($id: ID!, $bucket: HistogramBucket!, $from: DateTime!, $to: DateTime!) {
  timeline(id: $id) { eventHistogram(bucket: $bucket, from: $from, to: $to) { start count } } }`;

/** Every event id of the window, paged `first` at a time, and the number of pages. */
async function pageThrough(id: string, window: { from?: string; to?: string }, user?: TestUser, first = 2) {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const data: any = await api.gql(WINDOW, { id, first, after, ...window }, user?.token);
    ids.push(...data.timeline.events.edges.map((edge: any) => edge.node.id));
    if (!data.timeline.events.pageInfo.hasNextPage) return ids;
    after = data.timeline.events.pageInfo.endCursor;
  }
}

async function planOf(text: string): Promise<string> {
  await api.db.query('set enable_seqscan = off');
  try {
    const { rows } = await api.db.query(`explain (generic_plan) ${text}`);
    return rows.map((row) => row['QUERY PLAN'] as string).join('\n');
  } finally {
    await api.db.query('reset enable_seqscan');
  }
}

describe('timeline windows (SPEC section 11)', () => {
  it('pages only the events with from <= eventDate < to, newest first, with either bound optional', async () => {
    const user = await newUser(api);
    const timeline = await newTimeline(api, user);
    const dates = ['1997-12-31T23:59:59.999Z', '1998-01-01T00:00:00Z', '1998-03-01T10:00:00Z', '1998-03-01T10:00:00Z', '1998-12-31T23:00:00Z', '1999-01-01T00:00:00Z'];
    const ids: string[] = [];
    for (const date of dates) ids.push(await insertEvent(api, { createdBy: user.id, homeId: timeline.id, eventDate: new Date(date) }));
    const newestFirst = (picked: string[]) => [...picked].sort((a, b) => dates[ids.indexOf(b)].localeCompare(dates[ids.indexOf(a)]) || Number(b) - Number(a));

    const in1998 = await pageThrough(timeline.id, { from: '1998-01-01T00:00:00Z', to: '1999-01-01T00:00:00Z' }, user);
    expect(in1998).toEqual(newestFirst(ids.slice(1, 5)));
    expect(await pageThrough(timeline.id, { from: '1998-03-01T10:00:00Z' }, user)).toEqual(newestFirst(ids.slice(2)));
    expect(await pageThrough(timeline.id, { to: '1998-03-01T10:00:00Z' }, user)).toEqual(newestFirst(ids.slice(0, 2)));
    expect(await pageThrough(timeline.id, {}, user)).toEqual(newestFirst(ids));
    // Offsets other than Z mean the same instant.
    expect(await pageThrough(timeline.id, { from: '1998-01-01T01:00:00+01:00', to: '1998-01-01T00:00:00.001Z' }, user)).toEqual([ids[1]]);
    const empty = await api.gql(WINDOW, { id: timeline.id, from: '1998-05-01T00:00:00Z', to: '1998-05-01T00:00:00Z' }, user.token);
    expect(empty.timeline.events).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('refuses a cursor from another window, and a window that ends before it starts', async () => {
    const user = await newUser(api);
    const timeline = await newTimeline(api, user);
    for (const date of ['2001-01-01T00:00:00Z', '2001-06-01T00:00:00Z', '2002-01-01T00:00:00Z']) {
      await insertEvent(api, { createdBy: user.id, homeId: timeline.id, eventDate: new Date(date) });
    }
    const window = { from: '2001-01-01T00:00:00Z', to: '2003-01-01T00:00:00Z' };
    const cursorOf = async (variables: Record<string, unknown>) =>
      (await api.gql(WINDOW, { id: timeline.id, first: 1, ...variables }, user.token)).timeline.events.pageInfo.endCursor as string;
    const windowed = await cursorOf(window);
    const whole = await cursorOf({});
    const again = await api.request(WINDOW, { id: timeline.id, first: 1, after: windowed, ...window }, user.token);
    expect(again.errors).toBeUndefined();
    const refused = [
      { after: windowed },
      { after: windowed, from: window.from },
      { after: windowed, ...window, to: '2003-01-01T00:00:00.001Z' },
      { after: whole, ...window },
      { after: whole, to: window.to },
    ];
    for (const variables of refused) {
      const response = await api.request(WINDOW, { id: timeline.id, first: 1, ...variables }, user.token);
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(response.errors![0].message).toMatch(/another window/);
    }
    const backwards = { from: '2002-01-01T00:00:00Z', to: '2001-01-01T00:00:00Z' };
    expect(errorCode(await api.request(WINDOW, { id: timeline.id, ...backwards }, user.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await api.request(COUNT, { id: timeline.id, ...backwards }, user.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await api.request(HISTOGRAM, { id: timeline.id, bucket: 'DAY', ...backwards }, user.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await api.request(COUNT, { id: timeline.id, from: '0000-01-01T00:00:00Z' }, user.token))).toBe('BAD_USER_INPUT');
  });

  it('reads a page with one range scan of the listing index, bounds included, whatever the size', async () => {
    const plan = await planOf(PAGES.text);
    expect(plan).toMatch(/Index (Only )?Scan using event_timeline_refs_listing_idx on event_timeline_refs r/);
    const condition = plan.match(/Index Cond: (.*)/)![1];
    expect(condition).toMatch(/\(timeline_id = q\.listing_id\)/);
    expect(condition).toMatch(/\(event_date >= \$\d\)/);
    // The upper bound: the page's start key (the cursor, or the window's end).
    expect(condition).toMatch(/ROW\(event_date, event_id\) < ROW\(\$2, \$3\)/);
    expect(plan.match(/on event_timeline_refs/g)).toHaveLength(1); // one range scan of the listings per timeline
    expect(plan).not.toMatch(/Seq Scan on event_timeline_refs/);
    // A page stops after `limit` rows: no sort of the window.
    expect(plan).not.toMatch(/Sort\b/);
  });

  it('counts a window from one range scan of the day counts and two of the listing index (its partial edge days)', async () => {
    for (const text of [COUNTS.text, HISTOGRAMS.text]) {
      const plan = await planOf(text);
      const days = plan.match(/Index (Only )?Scan using event_day_count_pkey on event_day_count c .*\n\s+Index Cond: (.*)/);
      expect(days![2]).toMatch(/\(timeline_id = q\.listing_id\) AND \(day >= .*\) AND \(day < .*\)/);
      const edges = [...plan.matchAll(/Index (Only )?Scan using event_timeline_refs_listing_idx on event_timeline_refs r(?:_\d)? .*\n\s+Index Cond: (.*)/g)];
      expect(edges).toHaveLength(2);
      for (const edge of edges) expect(edge[2]).toMatch(/\(timeline_id = q\.listing_id\) AND \(event_date >= .*\) AND \(event_date < .*\)/);
      expect(plan.match(/on event_timeline_refs/g)).toHaveLength(2);
      expect(plan).not.toMatch(/Seq Scan on (event_timeline_refs|event_day_count)/);
    }
  });

  it('starts a page at the window: the rows it reads do not grow with the listings newer than the window', async () => {
    const user = await newUser(api);
    const timeline = await newTimeline(api, user);
    const [older, newer] = [2_000, 100_000];
    await api.db.query(
      `with e as (insert into event (title, event_date, created_by, timeline_id)
         select 'bulk ' || j, timestamp '2000-01-01' + interval '1 minute' * j, $1, $2 from generate_series(1, $3::int) j
         returning id, event_date)
       insert into event_timeline_refs (event_id, timeline_id, event_date) select id, $2, event_date from e`,
      [user.id, timeline.id, older + newer],
    );
    await api.db.query('vacuum analyze event_timeline_refs');
    const windowEnd = new Date(Date.UTC(2000, 0, 1) + older * 60_000);
    const blocks = async (to: Date) => {
      const { rows } = await api.db.query(`explain (analyze, buffers, format json) ${PAGES.text}`, [
        [Number(timeline.id)], 'infinity', 0, 21, Number(user.id), '1999-01-01 00:00:00',
      ].map((value, i) => (i === 1 ? to.toISOString().replace('T', ' ').replace('Z', '') : value)));
      const plan = rows[0]['QUERY PLAN'][0].Plan;
      return { blocks: plan['Shared Hit Blocks'] + plan['Shared Read Blocks'], rows: plan['Actual Rows'] };
    };
    const atTheBottom = await blocks(windowEnd);
    const atTheTop = await blocks(new Date('2100-01-01T00:00:00Z'));
    expect(atTheBottom.rows).toBe(21);
    expect(atTheBottom.blocks).toBeLessThan(atTheTop.blocks + 20); // 109 and 109 here; 993 when the scan started at the newest listing
    // Through the API: the oldest window's first page, and a forged cursor past `to` reads nothing past it.
    const window = { from: '1990-01-01T00:00:00Z', to: windowEnd.toISOString() };
    const page = await api.gql(WINDOW, { id: timeline.id, first: 3, ...window }, user.token);
    expect(page.timeline.events.edges.map((edge: any) => edge.node.eventDate)).toEqual(
      [older - 1, older - 2, older - 3].map((j) => new Date(Date.UTC(2000, 0, 1) + j * 60_000).toISOString()),
    );
    const bounds = [window.from, window.to].map((date) => new Date(date).toISOString().replace('T', ' ').replace('Z', ''));
    const forged = Buffer.from(JSON.stringify(['event', '2099-01-01 00:00:00', 1, ...bounds])).toString('base64url');
    const past = await api.gql(WINDOW, { id: timeline.id, first: 1, after: forged, ...window }, user.token);
    expect(past.timeline.events.edges[0].node.eventDate).toBe(page.timeline.events.edges[0].node.eventDate);
  });

  it('counts and bins exactly what events pages through, hidden events left out (SPEC section 5)', async () => {
    const tag = `Win${Date.now().toString(36)}`;
    const poster = await newUser(api);
    const outsider = await newUser(api);
    const hidden = await community.community({ visibility: 'PRIVATE' });
    const open = await community.community({ visibility: 'PUBLIC' });
    const insider = hidden.admin;
    const dates = ['2024-01-01T00:00:00Z', '2024-01-07T23:59:59Z', '2024-01-08T00:00:00Z', '2024-02-29T12:00:00Z', '2024-12-31T23:59:59Z', '2025-01-01T00:00:00Z'];
    for (const [i, eventDate] of dates.entries()) {
      await createEvent(api, poster, { title: `open ${i}`, eventDate, tags: [tag] });
      await createEvent(api, open.admin, { title: `community ${i}`, eventDate, tags: [tag], timelineId: open.timeline.id });
      if (i % 2 === 0) await createEvent(api, insider, { title: `hidden ${i}`, eventDate, tags: [tag], timelineId: hidden.timeline.id });
    }
    const hashtag = (await api.gql(`query($n: String!) { timelineByName(formattedName: $n) { id } }`, { n: `#${tag}` })).timelineByName.id;
    const window = { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' };

    for (const [viewer, expected] of [[outsider, 10], [insider, 13], [undefined, 10]] as const) {
      const paged = await pageThrough(hashtag, window, viewer, 3);
      expect(paged).toHaveLength(expected);
      expect((await api.gql(COUNT, { id: hashtag, ...window }, viewer?.token)).timeline.eventCount).toBe(expected);
      const bins = (await api.gql(HISTOGRAM, { id: hashtag, bucket: 'YEAR', ...window }, viewer?.token)).timeline.eventHistogram;
      expect(bins).toEqual([{ start: '2024-01-01T00:00:00.000Z', count: expected }]);
    }
    expect((await api.gql(COUNT, { id: hashtag }, insider.token)).timeline.eventCount).toBe(await pageThrough(hashtag, {}, insider, 100).then((ids) => ids.length));

    const histogram = async (bucket: string, viewer: TestUser) =>
      (await api.gql(HISTOGRAM, { id: hashtag, bucket, from: '2023-06-01T00:00:00Z', to: '2025-06-01T00:00:00Z' }, viewer.token)).timeline.eventHistogram;
    // 2024-01-01 was a Monday, 2024-01-07 a Sunday; empty bins are left out, oldest first.
    expect(await histogram('WEEK', outsider)).toEqual([
      { start: '2024-01-01T00:00:00.000Z', count: 4 },
      { start: '2024-01-08T00:00:00.000Z', count: 2 },
      { start: '2024-02-26T00:00:00.000Z', count: 2 },
      { start: '2024-12-30T00:00:00.000Z', count: 4 },
    ]);
    expect(await histogram('DAY', insider)).toEqual([
      { start: '2024-01-01T00:00:00.000Z', count: 3 },
      { start: '2024-01-07T00:00:00.000Z', count: 2 },
      { start: '2024-01-08T00:00:00.000Z', count: 3 },
      { start: '2024-02-29T00:00:00.000Z', count: 2 },
      { start: '2024-12-31T00:00:00.000Z', count: 3 },
      { start: '2025-01-01T00:00:00.000Z', count: 2 },
    ]);
    expect(await histogram('MONTH', outsider)).toEqual([
      { start: '2024-01-01T00:00:00.000Z', count: 6 },
      { start: '2024-02-01T00:00:00.000Z', count: 2 },
      { start: '2024-12-01T00:00:00.000Z', count: 2 },
      { start: '2025-01-01T00:00:00.000Z', count: 2 },
    ]);
    // A bin starts where the bucket starts, before `from` if need be; it counts only what the window holds.
    const partial = await api.gql(HISTOGRAM, { id: hashtag, bucket: 'MONTH', from: '2024-01-05T00:00:00Z', to: '2024-02-29T12:00:00Z' }, outsider.token);
    expect(partial.timeline.eventHistogram).toEqual([{ start: '2024-01-01T00:00:00.000Z', count: 4 }]);
  });

  it('allows at most 1,000 bins and names the limit', async () => {
    const user = await newUser(api);
    const timeline = await newTimeline(api, user);
    const ask = (bucket: string, from: string, to: string) => api.request(HISTOGRAM, { id: timeline.id, bucket, from, to }, user.token);
    const fits = [
      ['DAY', '2020-01-01T00:00:00Z', '2022-09-27T00:00:00Z'], // 1,000 days
      ['WEEK', '2000-01-03T00:00:00Z', '2019-03-04T00:00:00Z'], // 1,000 weeks from a Monday
      ['MONTH', '2000-01-01T00:00:00Z', '2083-05-01T00:00:00Z'],
      ['YEAR', '1001-01-01T00:00:00Z', '2001-01-01T00:00:00Z'],
    ];
    for (const [bucket, from, to] of fits) expect((await ask(bucket, from, to)).errors, `${bucket} ${from} ${to}`).toBeUndefined();
    const over = [
      ['DAY', '2020-01-01T00:00:00Z', '2022-09-27T00:00:00.001Z'],
      ['DAY', '2020-01-01T12:00:00Z', '2022-09-27T06:00:00Z'],
      ['WEEK', '2000-01-04T00:00:00Z', '2019-03-04T00:00:01Z'],
      ['MONTH', '2000-01-01T00:00:00Z', '2083-05-02T00:00:00Z'],
      ['YEAR', '1000-12-31T00:00:00Z', '2001-01-01T00:00:00Z'],
    ];
    for (const [bucket, from, to] of over) {
      const response = await ask(bucket, from, to);
      expect(errorCode(response), `${bucket} ${from} ${to}`).toBe('BAD_USER_INPUT');
      expect(response.errors![0].message).toMatch(/at most 1000 bins/);
    }
  });

  it('asks for windows, counts and histograms of 50 timelines with as many statements as for 5', async () => {
    const user = await newUser(api);
    const statementsFor = async (count: number) => {
      const prefix = `Window${count}x${Date.now().toString(36)}`;
      for (let i = 0; i < count; i++) {
        const timeline = await newTimeline(api, user, { name: `${prefix}${i}` });
        for (const date of ['2010-05-01T00:00:00Z', '2011-05-01T00:00:00Z']) {
          await insertEvent(api, { createdBy: user.id, homeId: timeline.id, eventDate: new Date(date) });
        }
      }
      const response = await api.request(
        `query($s: String, $from: DateTime!, $to: DateTime!) { timelines(search: $s, first: 50) { edges { node {
           events(first: 10, from: $from, to: $to) { edges { node { id } } }
           eventCount(from: $from, to: $to)
           eventHistogram(bucket: MONTH, from: $from, to: $to) { start count } } } } }`,
        { s: prefix, from: '2010-01-01T00:00:00Z', to: '2011-01-01T00:00:00Z' },
      );
      expect(response.errors).toBeUndefined();
      const nodes = (response.data as any).timelines.edges.map((edge: any) => edge.node);
      expect(nodes).toHaveLength(count);
      for (const node of nodes) {
        expect(node.events.edges).toHaveLength(1);
        expect(node.eventCount).toBe(1);
        expect(node.eventHistogram).toEqual([{ start: '2010-05-01T00:00:00.000Z', count: 1 }]);
      }
      return (response as any).extensions.sqlStatements as number;
    };
    const few = await statementsFor(5);
    const many = await statementsFor(50);
    expect(few).toBeGreaterThan(0);
    expect(many).toBe(few);
  });
});
