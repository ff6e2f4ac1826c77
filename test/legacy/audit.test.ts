import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTimelines } from '../../src/db/audit';
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
