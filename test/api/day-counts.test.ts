import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api';
import { dayCountDrift } from '../support/day-counts';
import { newUser, type TestUser } from '../support/factories';
import { createEvent } from '../ingestion/operations';
import { communityOps } from '../memberships/community';
import { DELETE_EVENT, shareEvent, UNSHARE_EVENT, updateEvent } from '../editing/operations';

const api = useTestApi();
const community = communityOps(api);

const WINDOW = `query($id: ID!, $after: String, $from: DateTime, $to: DateTime) {
  timeline(id: $id) { events(first: 100, after: $after, from: $from, to: $to) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`;
const COUNT = `query($id: ID!, $from: DateTime, $to: DateTime) { timeline(id: $id) { eventCount(from: $from, to: $to) } }`;
const HISTOGRAM = `query($id: ID!, $from: DateTime!, $to: DateTime!) {
  timeline(id: $id) { eventHistogram(bucket: DAY, from: $from, to: $to) { start count } } }`;

type Window = { from?: string; to?: string };

async function paged(id: string, window: Window, viewer?: TestUser): Promise<number> {
  let total = 0;
  let after: string | null = null;
  for (;;) {
    const data: any = await api.gql(WINDOW, { id, after, ...window }, viewer?.token);
    total += data.timeline.events.edges.length;
    if (!data.timeline.events.pageInfo.hasNextPage) return total;
    after = data.timeline.events.pageInfo.endCursor;
  }
}

/**
 * The maintained counts hold exactly what the listings hold (summed over shards, per timeline, day and hidden
 * home), and for each viewer and window `eventCount` and the DAY histogram's bins sum to what `events` pages through.
 */
async function expectExact(id: string, viewers: (TestUser | undefined)[], windows: Window[]) {
  expect(await dayCountDrift(api.db)).toEqual([]);
  for (const viewer of viewers) {
    for (const window of windows) {
      const expected = await paged(id, window, viewer);
      const label = `${viewer?.username ?? 'anonymous'} ${JSON.stringify(window)}`;
      expect((await api.gql(COUNT, { id, ...window }, viewer?.token)).timeline.eventCount, label).toBe(expected);
      if (window.from && window.to) {
        const bins = (await api.gql(HISTOGRAM, { id, ...window }, viewer?.token)).timeline.eventHistogram as { count: number }[];
        expect(bins.reduce((sum, bin) => sum + bin.count, 0), label).toBe(expected);
      }
    }
  }
}

const hashtagId = async (tag: string) =>
  (await api.gql(`query($n: String!) { timelineByName(formattedName: $n) { id } }`, { n: `#${tag}` })).timelineByName.id as string;

/** Windows with bounds at midnight and not, inside one day, across days, open on either side. */
const WINDOWS: Window[] = [
  {},
  { from: '2024-03-01T00:00:00Z', to: '2024-03-04T00:00:00Z' },
  { from: '2024-03-01T06:30:00Z', to: '2024-03-03T18:00:00.001Z' },
  { from: '2024-03-02T01:00:00Z', to: '2024-03-02T13:00:00Z' },
  { from: '2024-03-02T12:00:00Z' },
  { to: '2024-03-02T12:00:00Z' },
  { from: '2024-03-01T23:59:59.999Z', to: '2024-03-02T00:00:00.001Z' },
];
const DATES = ['2024-03-01T00:00:00Z', '2024-03-01T12:00:00Z', '2024-03-02T00:00:00Z', '2024-03-02T12:00:00Z', '2024-03-02T23:59:59.999Z', '2024-03-03T18:00:00Z'];

describe('maintained per-day counts (issue 13 point 3)', () => {
  it('stay exact for every viewer through hidden events, edits, shares, unshares, deletes and visibility changes', async () => {
    const tag = `Days${Date.now().toString(36)}`;
    const poster = await newUser(api);
    const outsider = await newUser(api);
    const secret = await community.community({ visibility: 'PRIVATE' });
    const insider = secret.admin;
    const events: string[] = [];
    for (const [i, eventDate] of DATES.entries()) {
      await createEvent(api, poster, { title: `open ${i}`, eventDate, tags: [tag] });
      events.push((await createEvent(api, insider, { title: `secret ${i}`, eventDate, tags: [tag], timelineId: secret.timeline.id })).id);
    }
    const hashtag = await hashtagId(tag);
    const viewers = [outsider, insider, undefined];
    await expectExact(hashtag, viewers, WINDOWS);

    // Edits: a new date, a dropped tag, a tag added back.
    await updateEvent(api, insider, events[0], { eventDate: '2024-03-03T05:00:00Z' });
    await updateEvent(api, insider, events[1], { tags: [] });
    await expectExact(hashtag, viewers, WINDOWS);
    await updateEvent(api, insider, events[1], { tags: [tag], eventDate: '2024-03-02T06:00:00Z' });
    // A share onto a public community, an unshare, a delete.
    const open = await community.community({ visibility: 'PUBLIC' });
    const member = await community.activeMember(secret.timeline, insider);
    expect((await api.request(`mutation($id: ID!) { joinTimeline(id: $id) { state } }`, { id: open.timeline.id }, member.token)).errors).toBeUndefined();
    await shareEvent(api, member, events[2], open.timeline.id);
    await shareEvent(api, member, events[3], open.timeline.id);
    expect((await api.request(UNSHARE_EVENT, { e: events[3], t: open.timeline.id }, member.token)).errors).toBeUndefined();
    expect((await api.request(DELETE_EVENT, { id: events[4] }, insider.token)).errors).toBeUndefined();
    await expectExact(hashtag, viewers, WINDOWS);
    await expectExact(open.timeline.id, [outsider, member], WINDOWS.slice(0, 3));

    // The community goes public, then private again: its events elsewhere are counted for everyone, then not.
    const setVisibility = (visibility: string) =>
      api.gql(`mutation($id: ID!, $v: Visibility!) { updateTimeline(id: $id, input: { visibility: $v }) { id } }`, { id: secret.timeline.id, v: visibility }, insider.token);
    const before = (await api.gql(COUNT, { id: hashtag }, outsider.token)).timeline.eventCount;
    await setVisibility('PUBLIC');
    expect((await api.gql(COUNT, { id: hashtag }, outsider.token)).timeline.eventCount).toBeGreaterThan(before);
    await expectExact(hashtag, viewers, WINDOWS);
    await setVisibility('PRIVATE');
    expect((await api.gql(COUNT, { id: hashtag }, outsider.token)).timeline.eventCount).toBe(before);
    await expectExact(hashtag, viewers, WINDOWS);
    await expectExact(open.timeline.id, [outsider, member], WINDOWS.slice(0, 3));
  });

  it('count every event of 64 racing createEvent and ingestEvents into one new tag', async () => {
    const tag = `Race${Date.now().toString(36)}`;
    const users = await Promise.all(Array.from({ length: 8 }, () => newUser(api)));
    await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        i % 2 === 0
          ? createEvent(api, users[i % 8], { title: `race ${i}`, eventDate: DATES[i % DATES.length], tags: [tag] })
          : api.gql(`mutation($inputs: [CreateEventInput!]!) { ingestEvents(inputs: $inputs) { id } }`, {
              inputs: [{ title: `race ${i}`, eventDate: DATES[i % DATES.length], tags: [tag] }],
            }, users[i % 8].token),
      ),
    );
    const hashtag = await hashtagId(tag);
    expect((await api.gql(COUNT, { id: hashtag })).timeline.eventCount).toBe(64);
    await expectExact(hashtag, [undefined], WINDOWS);
  });
});
