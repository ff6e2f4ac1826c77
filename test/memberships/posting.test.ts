import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api';
import { newTimeline, newUser, type TestUser } from '../support/factories';
import { communityOps } from './community';

const api = useTestApi();
const ops = communityOps(api);

/** What `createEvent` answers `user` posting to `timelineId`: 'allowed', or the error code. */
async function postCode(user: TestUser | null, timelineId: string): Promise<string> {
  const response = await api.request(
    `mutation($t: ID!) { createEvent(input: { title: "A post #posting", timelineId: $t }) { id timeline { id } } }`,
    { t: timelineId },
    user?.token,
  );
  if (response.errors?.length) return response.errors[0].extensions?.code ?? 'no code';
  expect((response.data as any).createEvent.timeline.id).toBe(timelineId);
  return 'allowed';
}

describe('posting to a community needs ACTIVE membership', () => {
  it('in a public community: active members post; pending, blocked and other users are FORBIDDEN', async () => {
    const { admin, timeline } = await ops.community({ requiresApproval: true });
    const member = await ops.activeMember(timeline, admin);
    const moderator = await ops.activeMember(timeline, admin, 'MODERATOR');
    const applicant = await newUser(api);
    await ops.join(applicant, timeline.id);
    const blocked = await ops.activeMember(timeline, admin);
    await ops.block(admin, timeline.id, blocked.id);
    for (const user of [admin, moderator, member]) expect(await postCode(user, timeline.id)).toBe('allowed');
    for (const user of [applicant, blocked, await newUser(api)]) expect(await postCode(user, timeline.id)).toBe('FORBIDDEN');
    expect(await postCode(null, timeline.id)).toBe('UNAUTHENTICATED');
  });

  it('in a private community: outsiders get NOT_FOUND (it does not exist for them)', async () => {
    const { admin, timeline } = await ops.community({ visibility: 'PRIVATE' });
    const member = await ops.activeMember(timeline, admin);
    const applicant = await newUser(api);
    await ops.join(applicant, timeline.id);
    expect(await postCode(member, timeline.id)).toBe('allowed');
    expect(await postCode(applicant, timeline.id)).toBe('NOT_FOUND');
    expect(await postCode(await newUser(api), timeline.id)).toBe('NOT_FOUND');
  });
});

describe('posting to a personal timeline', () => {
  it('is its owner’s alone: a viewer is FORBIDDEN, anyone else NOT_FOUND', async () => {
    const owner = await newUser(api);
    const timeline = await newTimeline(api, owner, { type: 'PERSONAL' });
    const friend = await newUser(api);
    await api.gql(`mutation($t: ID!, $u: String!) { addViewer(timelineId: $t, username: $u) { id } }`, { t: timeline.id, u: friend.username }, owner.token);
    expect(await postCode(owner, timeline.id)).toBe('allowed');
    expect(await postCode(friend, timeline.id)).toBe('FORBIDDEN');
    expect(await postCode(await newUser(api), timeline.id)).toBe('NOT_FOUND');
  });
});
