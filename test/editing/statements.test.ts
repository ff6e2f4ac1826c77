import { describe, expect, it } from 'vitest';
import { contextDeps, useTestApi } from '../support/api';
import { newTimeline, newUser, type TestUser } from '../support/factories';
import { createContext } from '../../src/server/context';
import { createEvent } from '../ingestion/operations';
import { shareEvent } from './operations';

const api = useTestApi();

/** Statements `work` runs on a fresh operation context of `user` (BEGIN and COMMIT aside). */
async function statements(user: TestUser, work: (context: Awaited<ReturnType<typeof createContext>>) => Promise<unknown>): Promise<number> {
  const context = await createContext(contextDeps(api.orm), `Bearer ${user.token}`);
  const before = context.statements.count;
  await work(context);
  return context.statements.count - before;
}

describe('statement counts stay flat (set-based, as ingestion)', () => {
  it('updateEvent: the same count for 1 tag as for 50 tags and many listings', async () => {
    const alice = await newUser(api);
    const communities = await Promise.all(Array.from({ length: 5 }, () => newTimeline(api, alice, { type: 'COMMUNITY' })));
    const fifty = Array.from({ length: 50 }, (_, i) => `StmtTag${i}`);
    const small = await createEvent(api, alice, { title: 'small', tags: ['StmtTag0'] });
    const large = await createEvent(api, alice, { title: 'large', tags: fifty });
    for (const community of communities) await shareEvent(api, alice, large.id, community.id);

    // Every tag exists: lock, fold and find, then one statement for the event, its listings and notifications.
    const retagSmall = await statements(alice, (c) => c.events.updateEvent(small.id, { tags: ['StmtTag1'] }));
    const retagLarge = await statements(alice, (c) => c.events.updateEvent(large.id, { tags: [...fifty.slice(25), ...fifty.slice(0, 20)], eventDate: new Date('2020-01-01') }));
    expect(retagSmall).toBe(3);
    expect(retagLarge).toBe(3);
    // New tags add the insert of the missing hashtag timelines, whatever their number.
    const newSmall = await statements(alice, (c) => c.events.updateEvent(small.id, { tags: ['StmtNewOne'] }));
    const newLarge = await statements(alice, (c) => c.events.updateEvent(large.id, { tags: fifty.map((tag) => `${tag}New`) }));
    expect(newSmall).toBe(4);
    expect(newLarge).toBe(4);
  });

  it('deleteEvent: two statements whatever the number of listings', async () => {
    const alice = await newUser(api);
    const small = await createEvent(api, alice, { title: 'small' });
    const large = await createEvent(api, alice, { title: 'large', tags: Array.from({ length: 50 }, (_, i) => `StmtDelete${i}`) });
    expect(await statements(alice, (c) => c.events.deleteEvent(small.id))).toBe(2);
    expect(await statements(alice, (c) => c.events.deleteEvent(large.id))).toBe(2);
  });
});
