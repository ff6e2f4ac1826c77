import { badInput } from '../common/errors';
import type { PgTimestamp } from '../db/prepared';
import type { HistogramBucket } from '../generated/graphql';

/** At most this many bins may cover a histogram's window (SPEC section 11). */
export const MAX_HISTOGRAM_BINS = 1000;

/**
 * A window of a timeline's listing order, `from <= eventDate < to`, as UTC `timestamp` text; an open side is
 * `-infinity` / `infinity`, which PostgreSQL compares as it should.
 */
export interface TimelineWindow {
  from: PgTimestamp | '-infinity';
  to: PgTimestamp | 'infinity';
}

export const WHOLE_TIMELINE: TimelineWindow = { from: '-infinity', to: 'infinity' };

/** The window of `from` and `to` (each optional); BAD_USER_INPUT when `to` is earlier than `from`. */
export function timelineWindow(from: Date | null | undefined, to: Date | null | undefined): TimelineWindow {
  if (from && to && to.getTime() < from.getTime()) throw badInput(`"to" must not be earlier than "from"`);
  return { from: from ? pgTimestamp(from, 'from') : '-infinity', to: to ? pgTimestamp(to, 'to') : 'infinity' };
}

export const isWholeTimeline = (window: TimelineWindow) => window.from === '-infinity' && window.to === 'infinity';

/** The `date_trunc` field of each bucket: PostgreSQL's weeks start on Monday, as ISO 8601's do. */
export const BUCKET_FIELD: Record<HistogramBucket, 'day' | 'week' | 'month' | 'year'> = { DAY: 'day', WEEK: 'week', MONTH: 'month', YEAR: 'year' };

/** How many UTC bins of `bucket` cover `from <= t < to` (0 for an empty window). */
export function binCount(bucket: HistogramBucket, from: Date, to: Date): number {
  if (to.getTime() <= from.getTime()) return 0;
  const months = (date: Date) => date.getUTCFullYear() * 12 + date.getUTCMonth();
  const day = 86_400_000;
  switch (bucket) {
    case 'DAY':
      return Math.ceil((to.getTime() - Math.floor(from.getTime() / day) * day) / day);
    case 'WEEK': {
      // 1970-01-05 (day 4 of the epoch) was a Monday.
      const start = Math.floor((from.getTime() / day - 4) / 7) * 7 + 4;
      return Math.ceil((to.getTime() / day - start) / 7);
    }
    case 'MONTH': {
      const endsOnBinStart = to.getUTCDate() === 1 && to.getTime() % day === 0;
      return months(to) - months(from) + (endsOnBinStart ? 0 : 1);
    }
    case 'YEAR': {
      const endsOnBinStart = to.getUTCMonth() === 0 && to.getUTCDate() === 1 && to.getTime() % day === 0;
      return to.getUTCFullYear() - from.getUTCFullYear() + (endsOnBinStart ? 0 : 1);
    }
  }
}

/** BAD_USER_INPUT, naming the limit, when more than MAX_HISTOGRAM_BINS bins would cover the window. */
export function checkBinCount(bucket: HistogramBucket, from: Date, to: Date): void {
  if (to.getTime() < from.getTime()) throw badInput(`"to" must not be earlier than "from"`);
  const bins = binCount(bucket, from, to);
  if (bins > MAX_HISTOGRAM_BINS) {
    throw badInput(`A histogram has at most ${MAX_HISTOGRAM_BINS} bins; ${bins} ${bucket} bins cover this window: use a wider bucket or a narrower window`, {
      maxBins: MAX_HISTOGRAM_BINS,
    });
  }
}

/** `2026-01-31 12:00:00.000`: the UTC text of a `timestamp` column. Year 0 does not exist in PostgreSQL. */
function pgTimestamp(date: Date, field: string): PgTimestamp {
  if (date.getUTCFullYear() < 1) throw badInput(`"${field}" must be in year 1 or later`);
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
