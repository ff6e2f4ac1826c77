import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTimelines } from '../../src/db/audit';
import { dedupeTimelines } from '../../src/db/dedupe';
import { ormConfig } from '../../src/db/orm-config';
import { startApp, type App } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';
import { postGraphQL, TEST_CONFIG } from '../support/api';
import { FIRST, MIGRATIONS, migrationDb, runCli, snapshot, type MigrationDb } from '../migrations/support';
import { seedLegacyData, type LegacyIds } from './fixture';

/** Issue 6, point 3: a messy V1 database adopted by `migration:up`, after `db:dedupe -- --apply`. */
describe('adopting a messy legacy database', () => {
  let m: MigrationDb;
  let ids: LegacyIds;
  let before: { events: number; users: number; refs: [number, number][] };
  const t = (key: string) => ids.timelines[key];

  beforeAll(async () => {
    m = await migrationDb();
    await m.up(FIRST);
    ids = await seedLegacyData(m.db);
    const count = async (table: string) => Number((await m.db.query(`select count(*) from ${table}`)).rows[0].count);
    const { rows } = await m.db.query('select distinct event_id, timeline_id from event_timeline_refs');
    before = { events: await count('event'), users: await count('"user"'), refs: rows.map((row) => [row.event_id, row.timeline_id]) };
  });
  afterAll(() => m.close());

  it('db:audit lists every blocking group with ids and the fix, exits 1 and writes nothing', async () => {
    const unchanged = await snapshot(m.db);
    const { code, output } = await runCli('npm', ['run', '-s', 'db:audit'], m.url);
    expect(code).toBe(1);
    expect(output).toContain('8 group(s)');
    expect(output).toMatch(/duplicate: hashtag "CLIMATE"/);
    expect(output).toMatch(/duplicate: hashtag "STRASSE"/);
    expect(output).toMatch(/duplicate: hashtag "BAR"/);
    expect(output).toMatch(/duplicate: community "FOO"/);
    expect(output).toMatch(/unknown-type: type "List"/);
    expect(output.match(/personal-without-owner/g)).toHaveLength(2);
    expect(output).toMatch(/reserved-prefix/);
    for (const key of ['climate', 'climate2', 'climate3', 'fooCommunity2', 'notesOrphan', 'emptyOrphan', 'unknown', 'misfiled']) {
      expect(output).toContain(`timeline ${t(key)}:`);
    }
    expect(output).toContain(`gives it to user ${ids.users.bob}, who created its earliest event`);
    expect(output).toContain('npm run db:dedupe');
    expect(await snapshot(m.db)).toBe(unchanged);
  });

  it('migration:up refuses at the first migration, naming the rows and the two commands, and changes nothing', async () => {
    const unchanged = await snapshot(m.db);
    const { code, output } = await runCli('npx', ['mikro-orm', 'migration:up'], m.url);
    expect(code).not.toBe(0);
    expect(output).toContain(`${MIGRATIONS[1]} refused to run and changed nothing`);
    expect(output).toContain(`timeline ${t('climate3')}: name "CLIMATE", type "HASHTAG"`);
    expect(output).toContain('npm run db:audit');
    expect(output).toContain('npm run db:dedupe -- --apply');
    expect(await m.applied()).toEqual([FIRST]);
    expect(await snapshot(m.db)).toBe(unchanged);
  });

  it('db:dedupe prints the plan and writes nothing', async () => {
    const unchanged = await snapshot(m.db);
    const { changes, applied } = await dedupeTimelines(m.db, { apply: false });
    const output = changes.join('\n');
    expect(applied).toBe(false);
    expect(output).toContain(`merge hashtag timeline ${t('climate2')} "climate" into ${t('climate')} "#Climate"`);
    expect(output).toContain(`merge hashtag timeline ${t('strasse2')} "#STRASSE" into ${t('strasse')} "Straße"`);
    expect(output).toContain(`rename community timeline ${t('fooCommunity2')} "i-foo" → "i-foo (2)"`);
    expect(output).toContain(`timeline ${t('emptyOrphan')} "My-Empty"`);
    expect(await snapshot(m.db)).toBe(unchanged);
  });

  it('db:dedupe -- --apply fixes every finding in one go, reporting its progress', async () => {
    Object.assign(process.env, { MIGRATION_PROGRESS: 'lines', MIGRATION_PROGRESS_INTERVAL: '0' });
    const { code, output } = await runCli('npm', ['run', '-s', 'db:dedupe', '--', '--apply'], m.url).finally(() => {
      delete process.env.MIGRATION_PROGRESS;
      delete process.env.MIGRATION_PROGRESS_INTERVAL;
    });
    expect(output).toContain('Applied');
    expect(code).toBe(0);
    // The eight findings of the audit: rows first (pass 1), then the duplicates left (pass 2), a line for each.
    const progress = output.split('\n').filter((line) => line.startsWith('fix '));
    expect(progress).toHaveLength(8);
    expect(progress).toContainEqual(expect.stringMatching(/^fix rows \(pass 1\): 4 \/ 4 findings \(100\.0%\), [\d,]+ findings\/s, done$/));
    expect(progress).toContainEqual(expect.stringMatching(/^fix duplicates \(pass 2\): 4 \/ 4 findings \(100\.0%\), [\d,]+ findings\/s, done$/));
    expect(output).toContain(`rename community timeline ${t('fooCommunity2')} "i-foo" → "i-foo (2)"`);
    expect(await auditTimelines(m.db)).toEqual([]);
  });

  it('migration:up then completes, losing no event, reference or user', async () => {
    expect(await m.up()).toEqual(MIGRATIONS.slice(1));

    const count = async (table: string) => Number((await m.db.query(`select count(*) from ${table}`)).rows[0].count);
    expect(await count('event')).toBe(before.events);
    expect(await count('"user"')).toBe(before.users);
    const merged = new Map([[t('climate2'), t('climate')], [t('climate3'), t('climate')], [t('bar'), t('barHash')], [t('strasse2'), t('strasse')]]);
    const { rows } = await m.db.query('select event_id, timeline_id from event_timeline_refs');
    const after = new Set(rows.map((row) => `${row.event_id}:${row.timeline_id}`));
    for (const [event, timeline] of before.refs) expect(after).toContain(`${event}:${merged.get(timeline) ?? timeline}`);
    const { rows: homeless } = await m.db.query(
      `select e.id from event e where not exists (select 1 from event_timeline_refs r where r.event_id = e.id and r.timeline_id = e.timeline_id)`,
    );
    expect(homeless).toEqual([]);
  });

  it('stores base names and lower-case types; formatted names are what users saw', async () => {
    const { rows } = await m.db.query('select id, name, timeline_type, created_by, visibility from timeline');
    const byId = new Map(rows.map((row) => [row.id, row]));
    const expected: [string, string, string, string?][] = [
      ['climate', 'hashtag', 'Climate'], ['barHash', 'hashtag', 'Bar'], ['fooCommunity', 'community', 'Foo'],
      ['fooCommunity2', 'community', 'foo (2)'], ['fooHashtag', 'hashtag', 'Foo'], ['diaryAlice', 'personal', 'Diary', 'alice'],
      ['diaryBob', 'personal', 'diary', 'bob'], ['notesOrphan', 'personal', 'Notes', 'bob'], ['emptyOrphan', 'community', 'Empty'],
      ['strasse', 'hashtag', 'Straße'], ['spaced', 'hashtag', 'Spaced Name'], ['fish', 'hashtag', 'fish'],
      ['unknown', 'community', 'Reading List'], ['misfiled', 'community', 'Mixed'],
    ];
    for (const [key, type, name, owner] of expected) {
      expect(byId.get(t(key)), key).toMatchObject({ timeline_type: type, name, ...(owner ? { created_by: ids.users[owner] } : {}) });
    }
    expect(byId.get(t('emptyOrphan')).visibility).toBe('private');
    for (const gone of ['climate2', 'climate3', 'bar', 'strasse2']) expect(byId.has(t(gone))).toBe(false);
    expect(rows).toHaveLength(expected.length);
  });

  it('serves the migrated data through the API', async () => {
    const orm = await MikroORM.init(ormConfig(m.url));
    let app: App | undefined;
    try {
      app = await startApp({ orm, config: TEST_CONFIG, logger: createLogger('silent') });
      const query = `query($n: String!) { timelineByName(formattedName: $n) { id name formattedName events(first: 50) { edges { node { title } } } } }`;
      const climate = await postGraphQL<any>(app.url, query, { n: '#climate' });
      expect(climate.errors).toBeUndefined();
      expect(climate.data.timelineByName).toMatchObject({ id: String(t('climate')), name: 'Climate', formattedName: '#Climate' });
      const titles = climate.data.timelineByName.events.edges.map((edge: any) => edge.node.title).sort();
      // e9 is also listed on #Climate, but its home is alice's personal timeline: anonymous callers never see it.
      expect(titles).toEqual(['Event e1', 'Event e16', 'Event e2', 'Event e3']);
      for (const [formatted, key] of [['#STRASSE', 'strasse'], ['i-Foo', 'fooCommunity'], ['#Foo', 'fooHashtag'], ['i-Mixed', 'misfiled'], ['#fish', 'fish']]) {
        const found = await postGraphQL<any>(app.url, query, { n: formatted });
        expect(found.data?.timelineByName?.id, formatted).toBe(String(t(key)));
      }
    } finally {
      await app?.stop();
      await orm.close(true);
    }
  });
});
