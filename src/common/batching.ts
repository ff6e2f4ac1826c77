import DataLoader from 'dataloader';

/** The DataLoader batch helpers every feature's loaders share. */

/** For each key, its row (or undefined), from rows in any order. */
export function byKey<K, T>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): (T | undefined)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key));
}

/** For each key, its rows (possibly none), in the order the rows came. */
export function groupByKey<K, T>(keys: readonly K[], rows: T[], keyOf: (row: T) => K): T[][] {
  const groups = new Map<K, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

/**
 * A loader of one page per timeline: pages of several timelines that ask for the same shape (position and
 * size, `shapeOf`) share one statement, `fetch`, whose rows name their timeline (`timelineOf`).
 */
export function pageLoader<K extends { timelineId: number }, R>(
  shapeOf: (key: K) => string,
  fetch: (timelineIds: number[], shape: K) => Promise<R[]>,
  timelineOf: (row: R) => number,
) {
  const keyOf = (key: K) => `${key.timelineId}|${shapeOf(key)}`;
  return new DataLoader<K, R[], string>(
    async (keys) => {
      const shapes = new Map<string, K[]>();
      for (const key of keys) shapes.set(shapeOf(key), [...(shapes.get(shapeOf(key)) ?? []), key]);
      const pages = new Map<string, R[]>();
      await Promise.all(
        [...shapes.values()].map(async (group) => {
          const byTimeline = new Map<number, R[]>(group.map((key) => [key.timelineId, []]));
          for (const row of await fetch([...byTimeline.keys()], group[0])) byTimeline.get(timelineOf(row))?.push(row);
          for (const key of group) pages.set(keyOf(key), byTimeline.get(key.timelineId)!);
        }),
      );
      return keys.map((key) => pages.get(keyOf(key)) ?? []);
    },
    { cacheKeyFn: keyOf },
  );
}
