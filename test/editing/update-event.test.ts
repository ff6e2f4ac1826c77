import { describe, expect, it } from 'vitest';
import { errorCode, useTestApi } from '../support/api';
import { newTimeline, newUser } from '../support/factories';
import { counts, createEvent, hashtagsNamed } from '../ingestion/operations';
import { listingsOf, shareEvent, UPDATE_EVENT, updateEvent } from './operations';

const api = useTestApi();

describe('updateEvent', () => {
  it('keeps omitted fields, clears nullable ones with null, and re-reads inline tags with explicit ones kept', async () => {
    const alice = await newUser(api);
    const event = await createEvent(api, alice, {
      title: 'Storm over #Valencia',
      description: 'more #Floods',
      tags: ['Weather'],
      type: 'NEWS',
      url: 'https://news.example/storm',
      eventDate: '2020-05-01T10:00:00.000Z',
    });
    const updated = await updateEvent(api, alice, event.id, { title: 'Storm over #Murcia', url: null });
    expect(updated).toMatchObject({
      id: event.id,
      title: 'Storm over #Murcia',
      description: 'more #Floods',
      type: 'NEWS',
      url: null,
      eventDate: '2020-05-01T10:00:00.000Z',
      tags: ['Weather', 'Murcia', 'Floods'],
    });
    expect(updated.timelines.map((t: { formattedName: string }) => t.formattedName).sort()).toEqual(['#Floods', '#Murcia', '#Weather']);
    expect((await hashtagsNamed(api, 'Valencia')).length).toBe(1);
  });
});
