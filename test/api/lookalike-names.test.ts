import { describe, expect, it } from 'vitest';
import { useTestApi, type GraphQLResponse } from '../support/api';
import { newTimeline, newUser } from '../support/factories';
import { counts, CREATE_EVENT, INGEST_EVENTS } from '../ingestion/operations';

const api = useTestApi();

const CREATE = `mutation($input: CreateTimelineInput!) { createTimeline(input: $input) { id name formattedName } }`;
const UPDATE = `mutation($id: ID!, $n: String!) { updateTimeline(id: $id, input: { name: $n }) { id name } }`;
const BY_NAME = `query($n: String!) { timelineByName(formattedName: $n) { id name } }`;
const SIGN_UP = `mutation($u: String!, $p: String!) { signUp(username: $u, password: $p) { user { username } } }`;

/** The refusal a client sees: BAD_USER_INPUT naming the code point and the rule. */
function expectRefused(response: GraphQLResponse, codePoint: string, rule: string) {
  expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', codePoint, rule });
  expect(response.errors?.[0]?.message).toContain(codePoint);
}

const LOOKALIKES: [string, string, string][] = [
  ['Clim\u200Bate', 'U+200B', 'format character'],
  ['\u202EClimate', 'U+202E', 'format character'],
  ['Clim\u00ADate', 'U+00AD', 'format character'],
  ['Climate\u2069', 'U+2069', 'format character'],
  ['Cli\u200Dmate', 'U+200D', 'format character'],
  ['Clіmate', 'U+0456', 'mixed scripts'],
  ['Clim\uD800ate', 'U+D800', 'unpaired surrogate'],
  ['Clim\uE000ate', 'U+E000', 'private use'],
  ['Clim\uFDD0ate', 'U+FDD0', 'noncharacter'],
  ['Clim\u0378ate', 'U+0378', 'unassigned'],
];

describe('names that look alike are refused on every path (SPEC section 12)', () => {
  it('createTimeline refuses them for every type, writing nothing, and takes names that need their joiners', async () => {
    const user = await newUser(api);
    const before = await counts(api);
    for (const type of ['HASHTAG', 'COMMUNITY', 'PERSONAL']) {
      for (const [name, codePoint, rule] of LOOKALIKES) {
        expectRefused(await api.request(CREATE, { input: { name, type } }, user.token), codePoint, rule);
      }
    }
    expect(await counts(api)).toEqual(before);
    for (const name of ['می\u200Cخواهم', '👨\u200D👩\u200D👧', '東京タワー', '東京 Tokyo', 'Ελλάδα', 'Москва']) {
      const created = (await api.gql(CREATE, { input: { name: `#${name}`, type: 'HASHTAG' } }, user.token)).createTimeline;
      expect(created).toMatchObject({ name, formattedName: `#${name}` });
      expect((await api.gql(BY_NAME, { n: `#${name}` })).timelineByName.id).toBe(created.id);
    }
    const community = (await api.gql(CREATE, { input: { name: 'i-Москва', type: 'COMMUNITY' } }, user.token)).createTimeline;
    expect(community.formattedName).toBe('i-Москва');
  });

  it('updateTimeline refuses a lookalike rename and keeps the name', async () => {
    const user = await newUser(api);
    const timeline = await newTimeline(api, user, { type: 'COMMUNITY', name: 'Gardeners' });
    for (const [name, codePoint, rule] of LOOKALIKES) {
      expectRefused(await api.request(UPDATE, { id: timeline.id, n: name }, user.token), codePoint, rule);
    }
    const { rows } = await api.db.query('select name from timeline where id = $1', [timeline.id]);
    expect(rows[0].name).toBe('Gardeners');
    expect((await api.gql(UPDATE, { id: timeline.id, n: 'Садоводы' }, user.token)).updateTimeline.name).toBe('Садоводы');
  });

  it('timelineByName answers a lookalike with BAD_USER_INPUT, not a silent miss', async () => {
    const user = await newUser(api);
    await newTimeline(api, user, { name: 'Climate' });
    for (const [name, codePoint, rule] of LOOKALIKES) {
      expectRefused(await api.request(BY_NAME, { n: `#${name}` }), codePoint, rule);
      expectRefused(await api.request(BY_NAME, { n: `My-${name}` }, user.token), codePoint, rule);
    }
  });

  it('createEvent refuses a lookalike explicit or inline tag, writing nothing', async () => {
    const user = await newUser(api);
    const before = await counts(api);
    for (const [tag, codePoint, rule] of LOOKALIKES) {
      expectRefused(await api.request(CREATE_EVENT, { input: { title: 'Storm', tags: [tag] } }, user.token), codePoint, rule);
    }
    expectRefused(await api.request(CREATE_EVENT, { input: { title: 'Storm #Clіmate' } }, user.token), 'U+0456', 'mixed scripts');
    expectRefused(await api.request(CREATE_EVENT, { input: { title: 'Storm', description: 'more #Clim\u200Date' } }, user.token), 'U+200D', 'format character');
    expect(await counts(api)).toEqual(before);
    const event = (await api.gql(CREATE_EVENT, { input: { title: 'امروز #می\u200Cخواهم', tags: ['👨\u200D👩\u200D👧'] } }, user.token)).createEvent;
    expect(event.tags).toEqual(['👨\u200D👩\u200D👧', 'می\u200Cخواهم']);
  });

  it('ingestEvents refuses the whole batch for one lookalike tag, naming its index', async () => {
    const user = await newUser(api);
    const before = await counts(api);
    const inputs = [{ title: 'fine', tags: ['Climate'] }, { title: 'spoof', tags: ['Clim\u200Bate'] }];
    const response = await api.request(INGEST_EVENTS, { inputs }, user.token);
    expectRefused(response, 'U+200B', 'format character');
    expect(response.errors?.[0]?.extensions?.index).toBe(1);
    expect(await counts(api)).toEqual(before);
  });

  it('signUp refuses a lookalike username, writing nothing', async () => {
    const userCount = async () => (await api.db.query('select count(*)::int as n from "user"')).rows[0].n;
    const before = await userCount();
    for (const [username, codePoint, rule] of [
      ['ada\u200Blovelace', 'U+200B', 'format character'],
      ['\u202Eada_lovelace', 'U+202E', 'format character'],
      ['аda_lovelace', 'U+0064', 'mixed scripts'],
      ['ada_lovelace\uD800', 'U+D800', 'unpaired surrogate'],
    ]) {
      expectRefused(await api.request(SIGN_UP, { u: username, p: 'long enough' }), codePoint, rule);
    }
    expect(await userCount()).toBe(before);
    expect((await api.gql(SIGN_UP, { u: 'Алиса', p: 'long enough' })).signUp.user.username).toBe('Алиса');
  });
});
