import { describe, expect, it } from 'vitest';
import { errorCode, useTestApi } from '../support/api';
import { newTimeline, newUser } from '../support/factories';

const api = useTestApi();

const CREATE = `mutation($input: CreateTimelineInput!) { createTimeline(input: $input) { id name type formattedName visibility requiresApproval createdBy { username } } }`;
const BY_NAME = `query($n: String!) { timelineByName(formattedName: $n) { id name formattedName } }`;
const BY_ID = `query($id: ID!) { timeline(id: $id) { id name } }`;

describe('createTimeline and uniqueness (SPEC sections 2–3)', () => {
  it('lets #Timeline, i-Timeline and two users’ My-Timeline co-exist', async () => {
    const [alice, bob] = [await newUser(api), await newUser(api)];
    const created = [
      await newTimeline(api, alice, { name: 'Timeline', type: 'HASHTAG' }),
      await newTimeline(api, alice, { name: 'Timeline', type: 'COMMUNITY' }),
      await newTimeline(api, alice, { name: 'Timeline', type: 'PERSONAL' }),
      await newTimeline(api, bob, { name: 'Timeline', type: 'PERSONAL' }),
    ];
    expect(created.map((t) => t.formattedName)).toEqual(['#Timeline', 'i-Timeline', 'My-Timeline', 'My-Timeline']);
    expect(new Set(created.map((t) => t.id)).size).toBe(4);
  });

  it('refuses #TIMELINE, i-timeline and a second My-TIMELINE of one user as NAME_TAKEN, writing nothing', async () => {
    const carol = await newUser(api);
    await newTimeline(api, carol, { name: 'Taken', type: 'HASHTAG' });
    await newTimeline(api, carol, { name: 'Taken', type: 'COMMUNITY' });
    await newTimeline(api, carol, { name: 'Taken', type: 'PERSONAL' });
    const before = await api.db.query('select count(*)::int as n from timeline');
    for (const [name, type] of [['#TAKEN', 'HASHTAG'], ['i-taken', 'COMMUNITY'], ['My-TAKEN', 'PERSONAL']]) {
      const response = await api.request(CREATE, { input: { name, type } }, carol.token);
      expect(errorCode(response)).toBe('NAME_TAKEN');
      expect(response.errors![0].message).toContain('already taken');
    }
    const after = await api.db.query('select count(*)::int as n from timeline');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('keeps the first casing and folds like the database: straße = STRASSE, ﬁsh = FISH, composed = decomposed', async () => {
    const user = await newUser(api);
    const strasse = await newTimeline(api, user, { name: 'STRASSE', type: 'HASHTAG' });
    expect(errorCode(await api.request(CREATE, { input: { name: 'straße', type: 'HASHTAG' } }, user.token))).toBe('NAME_TAKEN');
    const found = await api.gql(BY_NAME, { n: '#straße' });
    expect(found.timelineByName).toMatchObject({ id: strasse.id, name: 'STRASSE', formattedName: '#STRASSE' });

    const fish = await newTimeline(api, user, { name: 'ﬁsh', type: 'COMMUNITY' });
    expect(fish.name).toBe('fish');
    expect((await api.gql(BY_NAME, { n: 'i-FISH' })).timelineByName.id).toBe(fish.id);

    const cafe = await newTimeline(api, user, { name: 'Cafe\u0301', type: 'HASHTAG' });
    expect((await api.gql(BY_NAME, { n: '#CAFÉ' })).timelineByName.id).toBe(cafe.id);
  });

  it('strips the type’s own prefix and refuses another type’s', async () => {
    const user = await newUser(api);
    const data = await api.gql(CREATE, { input: { name: '#Prefixed', type: 'HASHTAG' } }, user.token);
    expect(data.createTimeline).toMatchObject({ name: 'Prefixed', formattedName: '#Prefixed', type: 'HASHTAG' });
    const community = await api.gql(CREATE, { input: { name: 'I-Prefixed', type: 'COMMUNITY' } }, user.token);
    expect(community.createTimeline).toMatchObject({ name: 'Prefixed', formattedName: 'i-Prefixed' });
    for (const [name, type] of [['i-Other', 'HASHTAG'], ['#Other', 'COMMUNITY'], ['My-Other', 'HASHTAG']]) {
      expect(errorCode(await api.request(CREATE, { input: { name, type } }, user.token))).toBe('BAD_USER_INPUT');
    }
  });

  it('is refused by the database itself when inserted directly with SQL', async () => {
    const user = await newUser(api);
    await newTimeline(api, user, { name: 'DirectSql', type: 'HASHTAG' });
    await expect(api.db.query(`insert into timeline (name, timeline_type) values ('DIRECTSQL', 'hashtag')`)).rejects.toThrow(
      /timeline_public_name_unique/,
    );
    await expect(
      api.db.query(`insert into timeline (name, timeline_type, created_by) values ('Mine', 'personal', null)`),
    ).rejects.toThrow(/timeline_personal_owner_check/);
    await expect(api.db.query(`insert into timeline (name, timeline_type) values ('Odd', 'group')`)).rejects.toThrow(/timeline_type_check/);
    await api.db.query(`insert into timeline (name, timeline_type, created_by) values ('Mine', 'personal', $1)`, [user.id]);
    await expect(
      api.db.query(`insert into timeline (name, timeline_type, created_by) values ('MINE', 'personal', $1)`, [user.id]),
    ).rejects.toThrow(/timeline_personal_name_unique/);
  });

  it('needs a token', async () => {
    expect(errorCode(await api.request(CREATE, { input: { name: 'Anon', type: 'HASHTAG' } }))).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['', 'empty'],
    ['   ', 'whitespace only'],
    ['x'.repeat(101), '101 characters'],
    ['a\u0001b', 'a control character'],
    ['#', 'a lone #'],
  ])('refuses the name %j (%s) and writes nothing', async (name) => {
    const user = await newUser(api);
    const before = await api.db.query('select count(*)::int as n from timeline');
    const response = await api.request(CREATE, { input: { name, type: 'HASHTAG' } }, user.token);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect((await api.db.query('select count(*)::int as n from timeline')).rows[0].n).toBe(before.rows[0].n);
  });

  it('refuses unknown enum values', async () => {
    const user = await newUser(api);
    const variables = await api.request(CREATE, { input: { name: 'Enum', type: 'GROUP' } }, user.token);
    expect(errorCode(variables)).toBe('BAD_USER_INPUT');
    const literal = await api.request(`mutation { createTimeline(input: { name: "Enum", type: GROUP }) { id } }`, {}, user.token);
    expect(errorCode(literal)).toBe('BAD_USER_INPUT');
  });

  it('uses the unique index for name lookups', async () => {
    const { rows } = await api.db.query(
      `explain select id from timeline t where upper(t.name collate "und-x-icu") = upper($1::text collate "und-x-icu") and t.timeline_type = 'hashtag'`,
      ['Climate'],
    );
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Index (Only )?Scan using timeline_public_name_unique/);
    const personal = await api.db.query(
      `explain select id from timeline t where upper(t.name collate "und-x-icu") = upper($1::text collate "und-x-icu") and t.timeline_type = 'personal' and t.created_by = $2`,
      ['Climate', 1],
    );
    expect(personal.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index (Only )?Scan using timeline_personal_name_unique/);
  });
});

describe('timeline lookups and privacy (SPEC section 5)', () => {
  it('hides a user’s personal timeline from everyone else on every path', async () => {
    const [alice, bob] = [await newUser(api), await newUser(api)];
    const secret = await newTimeline(api, alice, { name: 'Diary', type: 'PERSONAL' });
    expect((await api.gql(BY_ID, { id: secret.id }, alice.token)).timeline.id).toBe(secret.id);
    expect((await api.gql(BY_ID, { id: secret.id }, bob.token)).timeline).toBeNull();
    expect((await api.gql(BY_ID, { id: secret.id })).timeline).toBeNull();
    expect((await api.gql(BY_NAME, { n: 'My-Diary' }, alice.token)).timelineByName.id).toBe(secret.id);
    expect((await api.gql(BY_NAME, { n: 'My-Diary' }, bob.token)).timelineByName).toBeNull();
    const list = `query($t: TimelineType) { timelines(type: $t, first: 100) { edges { node { id } } } }`;
    for (const type of [null, 'PERSONAL']) {
      const ids = (await api.gql(list, { t: type }, bob.token)).timelines.edges.map((e: any) => e.node.id);
      expect(ids).not.toContain(secret.id);
    }
    const own = (await api.gql(list, { t: 'PERSONAL' }, alice.token)).timelines.edges.map((e: any) => e.node.id);
    expect(own).toEqual([secret.id]);
  });

  it('resolves My- names to the caller’s own timeline and refuses anonymous My- lookups', async () => {
    const [alice, bob] = [await newUser(api), await newUser(api)];
    const mine = await newTimeline(api, alice, { name: 'Plans', type: 'PERSONAL' });
    const theirs = await newTimeline(api, bob, { name: 'Plans', type: 'PERSONAL' });
    expect((await api.gql(BY_NAME, { n: 'my-plans' }, alice.token)).timelineByName.id).toBe(mine.id);
    expect((await api.gql(BY_NAME, { n: 'MY-PLANS' }, bob.token)).timelineByName.id).toBe(theirs.id);
    expect(errorCode(await api.request(BY_NAME, { n: 'My-Plans' }))).toBe('UNAUTHENTICATED');
  });

  it('hides a private community from everyone but its creator', async () => {
    const [alice, bob] = [await newUser(api), await newUser(api)];
    const club = await newTimeline(api, alice, { name: 'Club', type: 'COMMUNITY', visibility: 'PRIVATE' });
    expect((await api.gql(BY_NAME, { n: 'i-Club' }, alice.token)).timelineByName.id).toBe(club.id);
    expect((await api.gql(BY_NAME, { n: 'i-Club' }, bob.token)).timelineByName).toBeNull();
    expect((await api.gql(BY_ID, { id: club.id })).timeline).toBeNull();
  });

  it('refuses formatted names without a prefix, malformed ids', async () => {
    expect(errorCode(await api.request(BY_NAME, { n: 'Climate' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await api.request(BY_NAME, { n: '#' }))).toBe('BAD_USER_INPUT');
    for (const id of ['abc', '-1', '0', '1.5', '99999999999', '']) {
      expect(errorCode(await api.request(BY_ID, { id }))).toBe('BAD_USER_INPUT');
    }
    expect((await api.gql(BY_ID, { id: '2147483647' })).timeline).toBeNull();
  });
});

describe('timelines list', () => {
  it('filters by type, searches the base name case-insensitively and pages by keyset', async () => {
    const user = await newUser(api);
    const tag = `Zq${Date.now().toString(36)}`;
    const names = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Straße'].map((n) => `${tag}${n}`);
    for (const name of names) await newTimeline(api, user, { name, type: 'HASHTAG' });
    await newTimeline(api, user, { name: `${tag}Community`, type: 'COMMUNITY' });
    const query = `query($s: String, $t: TimelineType, $f: Int, $a: String) {
      timelines(search: $s, type: $t, first: $f, after: $a) { edges { cursor node { name type } } pageInfo { hasNextPage endCursor } } }`;
    const all = await api.gql(query, { s: tag.toLowerCase(), t: 'HASHTAG', f: 100 });
    expect(all.timelines.edges.map((e: any) => e.node.name)).toEqual(names);
    const strasse = await api.gql(query, { s: `${tag}STRASSE`.toUpperCase(), f: 10 });
    expect(strasse.timelines.edges.map((e: any) => e.node.name)).toEqual([`${tag}Straße`]);

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: any = (await api.gql(query, { s: tag, t: 'HASHTAG', f: 2, a: after })).timelines;
      seen.push(...page.edges.map((e: any) => e.node.name));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(names);
    const wildcard = await api.gql(query, { s: '%', f: 10 });
    expect(wildcard.timelines.edges).toEqual([]);
  });

  it('refuses first: 0, first: 101 and malformed cursors', async () => {
    const query = `query($f: Int, $a: String) { timelines(first: $f, after: $a) { edges { node { id } } } }`;
    expect(errorCode(await api.request(query, { f: 0 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await api.request(query, { f: 101 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await api.request(query, { f: -1 }))).toBe('BAD_USER_INPUT');
    for (const a of ['garbage', Buffer.from('["event","x",1]').toString('base64url'), Buffer.from('["timeline","1"]').toString('base64url')]) {
      expect(errorCode(await api.request(query, { f: 5, a }))).toBe('BAD_USER_INPUT');
    }
  });
});
