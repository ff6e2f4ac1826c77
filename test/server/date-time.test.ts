import { describe, expect, it } from 'vitest';
import { serializeDateTime } from '../../src/server/date-time.scalar';

/** What `Date` makes of a `timestamp` text, the rule the text rewrite must keep. */
const viaDate = (text: string) => new Date(`${text.replace(' ', 'T')}Z`).toISOString();

describe('DateTime serialisation of database timestamps', () => {
  it('writes each fractional precision as Date does (milliseconds, truncated)', () => {
    for (const text of [
      '2026-01-31 12:00:00',
      '2026-01-31 12:00:00.1',
      '2026-01-31 12:00:00.12',
      '2026-01-31 12:00:00.123',
      '2026-01-31 12:00:00.1239',
      '1999-12-31 23:59:59.999999',
      '0001-01-01 00:00:00.000001',
    ]) {
      expect(serializeDateTime(text), text).toBe(viaDate(text));
    }
  });

  it('agrees with Date on random instants across four millennia', () => {
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor((Math.random() - 0.5) * 2 * 62_000_000_000_000);
      const micros = String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0').replace(/0+$/, '');
      const base = new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
      if (base.startsWith('-') || base.startsWith('+')) continue;
      const text = micros ? `${base}.${micros}` : base;
      expect(serializeDateTime(text), text).toBe(viaDate(text));
    }
  });

  it('passes Date values and other shapes through Date', () => {
    expect(serializeDateTime(new Date(Date.UTC(2026, 0, 31, 12)))).toBe('2026-01-31T12:00:00.000Z');
    expect(serializeDateTime('2026-01-31 12:00')).toBe(viaDate('2026-01-31 12:00'));
  });
});
