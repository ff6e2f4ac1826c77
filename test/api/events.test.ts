import { describe, expect, it } from 'vitest';
import { errorCode, useTestApi } from '../support/api';
import { insertEvent, newTimeline, newUser } from '../support/factories';

const api = useTestApi();

const PAGE = `query($id: ID!, $first: Int, $after: String) {
  timeline(id: $id) { events(first: $first, after: $after) { edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } } }`;

describe('events on timelines', () => {
  it('pages through 45 events in pages of 20, each once, newest first then highest id', async () => {
    const user = await newUser(api);
    const timeline = await newTimeline(api, user);
    const base = Date.UTC(2025, 0, 1);
    const ids: string[] = [];
    for (let i = 0; i < 45; i++) {
      // Pairs share a date, so the id decides their order.
      ids.push(await insertEvent(api, { createdBy: user.id, homeId: timeline.id, eventDate: new Date(base + Math.floor(i / 2) * 60_000) }));
    }
    const expected = ids
      .map((id, i) => ({ id, date: Math.floor(i / 2) }))
      .sort((a, b) => b.date - a.date || Number(b.id) - Number(a.id))
      .map((e) => e.id);

    const seen: string[] = [];
    const sizes: number[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await api.gql(PAGE, { id: timeline.id, first: 20, after })).timeline.events;
      sizes.push(page.edges.length);
      seen.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(sizes).toEqual([20, 20, 5]);
    expect(seen).toEqual(expected);
  });

  it('keeps microsecond order across page boundaries', async () => {
    const user = await newUser(api);
    const timeline = await newTimeline(api, user);
    const { rows } = await api.db.query(
      `with e as (insert into event (title, event_date, created_by, timeline_id)
         select 'micro ' || i, timestamp '2025-06-01 00:00:00' + i * interval '1 microsecond', $1, $2 from generate_series(1, 5) i
         returning id, event_date, timeline_id)
       insert into event_timeline_refs (event_id, timeline_id, event_date) select id, timeline_id, event_date from e returning event_id`,
      [user.id, timeline.id],
    );
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: any = (await api.gql(PAGE, { id: timeline.id, first: 2, after })).timeline.events;
      seen.push(...page.edges.map((e: any) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(rows.map((r) => String(r.event_id)).reverse());
  });

  it('shows Event.timelines and Timeline.events in agreement, only what the viewer may see', async () => {
    const [alice, bob] = [await newUser(api), await newUser(api)];
    const tag = await newTimeline(api, alice, { type: 'HASHTAG' });
    const community = await newTimeline(api, alice, { type: 'COMMUNITY' });
    const diary = await newTimeline(api, alice, { type: 'PERSONAL' });
    const shared = await insertEvent(api, { createdBy: alice.id, homeId: community.id, alsoOn: [tag.id] });
    const secret = await insertEvent(api, { createdBy: alice.id, homeId: diary.id });

    const EVENT = `query($id: ID!) { event(id: $id) { id timeline { id } timelines { id formattedName } createdBy { username } tags } }`;
    const seenByBob = (await api.gql(EVENT, { id: shared }, bob.token)).event;
    expect(seenByBob.timeline.id).toBe(community.id);
    expect(seenByBob.timelines.map((t: any) => t.id).sort()).toEqual([tag.id, community.id].sort());
    expect(seenByBob.createdBy.username).toBe(alice.username);
    for (const id of [tag.id, community.id]) {
      const listed = (await api.gql(PAGE, { id, first: 10 })).timeline.events.edges.map((e: any) => e.node.id);
      expect(listed).toEqual([shared]);
    }

    expect((await api.gql(EVENT, { id: secret }, alice.token)).event.timelines.map((t: any) => t.id)).toEqual([diary.id]);
    expect((await api.gql(EVENT, { id: secret }, bob.token)).event).toBeNull();
    expect((await api.gql(EVENT, { id: secret })).event).toBeNull();
  });

  it('keeps a hashtag page free of events whose home the viewer may not see', async () => {
    const [alice, bob] = [await newUser(api), await newUser(api)];
    const tag = await newTimeline(api, alice, { type: 'HASHTAG' });
    const club = await newTimeline(api, alice, { type: 'COMMUNITY', visibility: 'PRIVATE' });
    const hidden = await insertEvent(api, { createdBy: alice.id, homeId: club.id, alsoOn: [tag.id] });
    const open = await insertEvent(api, { createdBy: alice.id, alsoOn: [tag.id] });
    const ids = async (token?: string) => (await api.gql(PAGE, { id: tag.id, first: 10 }, token)).timeline.events.edges.map((e: any) => e.node.id);
    expect(await ids(bob.token)).toEqual([open]);
    expect((await ids(alice.token)).sort()).toEqual([hidden, open].sort());
  });

  it('refuses bad page arguments and cursors', async () => {
    const user = await newUser(api);
    const timeline = await newTimeline(api, user);
    expect(errorCode(await api.request(PAGE, { id: timeline.id, first: 0 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await api.request(PAGE, { id: timeline.id, first: 101 }))).toBe('BAD_USER_INPUT');
    const bad = ['nope', Buffer.from('["timeline",1]').toString('base64url'), Buffer.from('["event","1999-01-01; drop table event",1]').toString('base64url')];
    for (const after of bad) expect(errorCode(await api.request(PAGE, { id: timeline.id, first: 5, after }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await api.request(`query { event(id: "x1") { id } }`))).toBe('BAD_USER_INPUT');
  });

  it('resolves the nested query of SPEC section 8 with as many statements for 50 timelines as for 5', async () => {
    const user = await newUser(api);
    const statementsFor = async (count: number) => {
      const prefix = `Nest${count}x${Date.now().toString(36)}`;
      const elsewhere = await newTimeline(api, user);
      for (let i = 0; i < count; i++) {
        const timeline = await newTimeline(api, user, { name: `${prefix}${i}` });
        for (let j = 0; j < 2; j++) await insertEvent(api, { createdBy: user.id, homeId: timeline.id, alsoOn: [elsewhere.id] });
      }
      const response = await api.request(
        `query($s: String) { timelines(search: $s, first: 50) { edges { node { events(first: 10) { edges { node { timelines { id } } } } } } } }`,
        { s: prefix },
      );
      expect(response.errors).toBeUndefined();
      expect((response.data as any).timelines.edges).toHaveLength(count);
      return (response as any).extensions.sqlStatements as number;
    };
    const few = await statementsFor(5);
    const many = await statementsFor(50);
    expect(few).toBeGreaterThan(0);
    expect(many).toBe(few);
  });
});
