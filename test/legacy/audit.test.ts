import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTimelines } from '../../src/db/audit';
import { dedupeTimelines } from '../../src/db/dedupe';
import { auditLookalikes } from '../../src/db/lookalike-audit';
import { baseNameSql } from '../../src/db/legacy-names';
import { baseNameForType, type TimelineType } from '../../src/naming/naming';
import { FIRST, migrationDb, runCli, snapshot, type MigrationDb } from '../migrations/support';
import { seedLegacyData } from './fixture';

describe('the V2 audit', () => {
  let m: MigrationDb;
  beforeAll(async () => {
    m = await migrationDb();
    await m.up(FIRST);
  });
  afterAll(() => m.close());

  it('computes base names in SQL exactly as the application does', async () => {
    const cases: [string, 'HASHTAG' | 'COMMUNITY' | 'PERSONAL'][] = [
      ['#Foo', 'HASHTAG'], ['  # Foo\u00a0 Bar\t', 'HASHTAG'], ['i-Foo', 'COMMUNITY'], ['I-foo', 'COMMUNITY'], ['My-Foo', 'PERSONAL'],
      ['mY- Foo', 'PERSONAL'], ['ﬁsh', 'HASHTAG'], ['Ｆｏｏ\u3000bar', 'COMMUNITY'], ['e\u0301te', 'HASHTAG'], ['Straße', 'HASHTAG'],
    ];
    for (const [raw, type] of cases) {
      const { rows } = await m.db.query(`select ${baseNameSql('$1::text', '$2::text')} as base`, [raw, type]);
      expect(rows[0].base, raw).toBe(baseNameForType(type.toLowerCase() as TimelineType, raw));
    }
  });

  it('prints that nothing blocks and exits 0 on clean data', async () => {
    await m.db.query(`insert into timeline (name, timeline_type) values ('#Clean', 'hashtag'), ('Clean', 'community')`);
    const { code, output } = await runCli('npm', ['run', '-s', 'db:audit'], m.url);
    expect(output).toContain('Nothing blocks the V2 naming rules.');
    expect(code).toBe(0);
  });

  it('reads V1 and partially migrated databases alike, never writing', async () => {
    const ids = await seedLegacyData(m.db);
    const unchanged = await snapshot(m.db);
    const findings = await auditTimelines(m.db);
    expect(await snapshot(m.db)).toBe(unchanged);
    expect(findings.map((finding) => finding.kind).sort()).toEqual([
      'duplicate', 'duplicate', 'duplicate', 'duplicate', 'personal-without-owner', 'personal-without-owner', 'reserved-prefix', 'unknown-type',
    ]);
    const climate = findings.find((finding) => finding.key === 'hashtag "CLIMATE"')!;
    expect(climate.rows.map((row) => row.id)).toEqual([ids.timelines.climate, ids.timelines.climate2, ids.timelines.climate3]);
    expect(climate.fix).toContain(`into the oldest, #${ids.timelines.climate}`);
    // The columns V2 adds do not disturb it.
    await m.db.query('alter table timeline add column requires_approval boolean default false');
    expect((await auditTimelines(m.db)).length).toBe(findings.length);
  });
});

describe('the lookalike audit (SPEC section 12)', () => {
  let m: MigrationDb;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    m = await migrationDb();
    await m.up(FIRST);
    for (const username of ['alice', '\u0430dmin', 'bob\u200B']) {
      ids[username] = (await m.db.query(`insert into "user" (username) values ($1) returning id`, [username])).rows[0].id;
    }
    const timelines: [string, string][] = [
      ['#Climate', 'hashtag'], ['#Clim\u200Bate', 'hashtag'], ['#Cl\u0456mate', 'hashtag'], ['i-Москва', 'community'],
      ['My-東京 Tokyo', 'personal'], ['#Priv\uE000', 'hashtag'], ['#می\u200Cخواهم', 'hashtag'],
    ];
    for (const [name, type] of timelines) {
      ids[name] = (await m.db.query(`insert into timeline (name, timeline_type, created_by) values ($1, $2, $3) returning id`, [name, type, ids.alice])).rows[0].id;
    }
  });
  afterAll(() => m.close());

  it('lists names and usernames that break the rules, with the code point or scripts, in batches, writing nothing', async () => {
    const unchanged = await snapshot(m.db);
    const findings = await auditLookalikes(m.db);
    expect(findings.map(({ table, id, problem }) => [table, id, problem.rule, problem.codePoint, problem.scripts])).toEqual([
      ['timeline', ids['#Clim\u200Bate'], 'format character', 'U+200B', undefined],
      ['timeline', ids['#Cl\u0456mate'], 'mixed scripts', 'U+0456', ['Latin', 'Cyrillic']],
      ['timeline', ids['#Priv\uE000'], 'private use', 'U+E000', undefined],
      ['user', ids['\u0430dmin'], 'mixed scripts', 'U+0064', ['Cyrillic', 'Latin']],
      ['user', ids['bob\u200B'], 'format character', 'U+200B', undefined],
    ]);
    expect(await auditLookalikes(m.db, 2)).toEqual(findings);
    expect(await snapshot(m.db)).toBe(unchanged);
  });

  it('db:audit reports them apart from what blocks V2, exiting 1 for them only with --strict', async () => {
    const plain = await runCli('npm', ['run', '-s', 'db:audit'], m.url);
    expect(plain.output).toContain('Nothing blocks the V2 naming rules.');
    expect(plain.output).toContain(`timeline ${ids['#Clim\u200Bate']} (hashtag): name "#Clim\u200Bate" contains U+200B (format character`);
    expect(plain.output).toContain(`user ${ids['\u0430dmin']}: username "\u0430dmin" mixes scripts Cyrillic and Latin`);
    expect(plain.code).toBe(0);
    const strict = await runCli('npm', ['run', '-s', 'db:audit', '--', '--strict'], m.url);
    expect(strict.code).toBe(1);
  });

  it('db:dedupe suggests a free rename for each and changes none of them, even with --apply', async () => {
    const unchanged = await snapshot(m.db);
    const { changes, lookalikes } = await dedupeTimelines(m.db, { apply: true });
    expect(changes).toEqual([]);
    expect(lookalikes).toHaveLength(5);
    expect(lookalikes[0]).toContain('suggested rename: "#Climate (2)" ("#Climate" is taken: it imitates that timeline)');
    expect(lookalikes[1]).toContain('suggested rename: "#Climate (2)"');
    expect(lookalikes[2]).toContain('suggested rename: "#Priv"');
    expect(lookalikes[3]).toContain('suggested rename: "admin"');
    expect(lookalikes[4]).toContain('suggested rename: "bob"');
    expect(await snapshot(m.db)).toBe(unchanged);
    const { output } = await runCli('npm', ['run', '-s', 'db:dedupe'], m.url);
    expect(output).toContain('Names that look like others (left as they are');
    expect(output).toContain(`user ${ids['bob\u200B']}: username "bob\u200B" contains U+200B`);
  });
});
