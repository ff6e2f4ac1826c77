import type { EntityManager } from '@mikro-orm/postgresql';
import { insertedMeanwhile, timelineGoneIsNotFound } from '../common/db-errors';
import { badInput, forbidden, notFound } from '../common/errors';
import { decodeCursor, encodeCursor, pageSize, parseId, toConnection, type Connection, type PageArgs } from '../common/pagination';
import type { PreparedStatements } from '../db/prepared';
import type { Scope } from '../common/scope';
import type { TimelineService } from '../timelines/timeline.service';
import type { UserService } from '../users/user.service';
import type { TimelineRow } from '../timelines/timeline.repository';
import type { MembershipRow } from './membership.repository';
import { MembershipRepository } from './membership.repository';
import { TimelineMember, type MemberRole, type MemberState } from './timeline-member.entity';
import { entityRow } from '../db/columns';

/** What an admin- or moderator-only change sees once it holds the community's lock. */
interface Locked {
  timeline: TimelineRow;
  memberships: MembershipRepository;
  /** The caller's membership, read under the lock. */
  caller: MembershipRow | undefined;
  /** The unit of work: what `work` creates, changes or removes on it is flushed when it commits. */
  em: EntityManager;
}

const MANAGERS: MemberRole[] = ['admin', 'moderator'];
const ADMINS: MemberRole[] = ['admin'];

/** Community membership (SPEC section 9): every transition, with its permission, in one place. */
export class MembershipService {
  constructor(
    private readonly scope: Scope,
    private readonly users: UserService,
    private readonly timelines: TimelineService,
  ) {}

  private formatted(timeline: TimelineRow): string {
    return this.timelines.formattedName(timeline);
  }

  /** The caller's membership of `timeline`, if any. */
  async ofViewer(timeline: TimelineRow): Promise<MembershipRow | null> {
    return (await this.scope.loaders.membership.load(timeline.id)) ?? null;
  }

  memberCount(timeline: TimelineRow): Promise<number> {
    return timeline.timelineType === 'community' ? this.scope.loaders.memberCount.load(timeline.id) : Promise.resolve(0);
  }

  /** Null unless the caller may see that list (see `Timeline.members`). */
  async members(timeline: TimelineRow, args: PageArgs & { state?: MemberState | null }): Promise<Connection<MembershipRow> | null> {
    const state = args.state ?? 'active';
    const own = timeline.timelineType === 'community' ? await this.ofViewer(timeline) : null;
    if (own?.state !== 'active' || (state !== 'active' && !MANAGERS.includes(own.role))) return null;
    const limit = pageSize(args.first);
    const afterUserId = args.after ? userCursor('member', args.after) : 0;
    const rows = await this.scope.loaders.memberPage.load({ timelineId: timeline.id, state, afterUserId, limit: limit + 1 });
    return toConnection(rows, limit, (m) => encodeCursor('member', [m.user]));
  }

  /** ACTIVE at once for a public community without approval, else PENDING; one row per user whatever the races. */
  async join(rawId: string): Promise<MembershipRow> {
    const userId = this.users.requireViewer();
    const timeline = await this.joinable(parseId(rawId, 'timeline id'));
    const state = timeline.visibility === 'public' && !timeline.requiresApproval ? 'active' : 'pending';
    // A row already there (or a concurrent join's, invisible to this snapshot) is a unique violation: read it anew.
    const joined = await this.scope.db
      .transaction(async ({ em }) => em.create(TimelineMember, { timeline: timeline.id, user: userId, role: 'member', state }))
      .then(entityRow, insertedMeanwhile)
      .catch(timelineGoneIsNotFound);
    const membership = joined ?? (await new MembershipRepository(this.scope.db).find(timeline.id, userId));
    if (!membership) throw notFound('Timeline');
    if (membership.state === 'blocked') throw forbidden('You are blocked from this community');
    this.scope.loaders.membership.clear(timeline.id).prime(timeline.id, membership);
    return membership;
  }

  /** Leaves, or withdraws a pending request. The last admin cannot leave; a blocked user cannot lift the block so. */
  async leave(rawId: string): Promise<boolean> {
    const userId = this.users.requireViewer();
    const timelineId = parseId(rawId, 'timeline id');
    return this.scope.db.transaction(async (db) => {
      const memberships = new MembershipRepository(db);
      await memberships.lockCommunity(timelineId);
      const own = await findMembership(db.em, timelineId, userId);
      if (!own) throw notFound('Membership');
      if (own.state === 'blocked') throw forbidden('You are blocked from this community');
      await this.keepAnAdmin(memberships, own, 'leave');
      db.em.remove(own);
      return true;
    });
  }

  async approve(rawTimelineId: string, rawUserId: string): Promise<MembershipRow> {
    const userId = parseId(rawUserId, 'user id');
    return entityRow(
      await this.manage(rawTimelineId, MANAGERS, 'approve members', async ({ timeline, em }) => {
        const target = await findMembership(em, timeline.id, userId);
        if (target?.state !== 'pending') throw notFound('Pending request');
        return em.assign(target, { state: 'active' });
      }),
    );
  }

  deny(rawTimelineId: string, rawUserId: string): Promise<boolean> {
    const userId = parseId(rawUserId, 'user id');
    return this.manage(rawTimelineId, MANAGERS, 'deny members', async ({ timeline, em }) => {
      const target = await findMembership(em, timeline.id, userId);
      if (target?.state !== 'pending') throw notFound('Pending request');
      em.remove(target);
      return true;
    });
  }

  async setRole(rawTimelineId: string, rawUserId: string, role: MemberRole): Promise<MembershipRow> {
    const userId = parseId(rawUserId, 'user id');
    return entityRow(
      await this.manage(rawTimelineId, ADMINS, 'change roles', async ({ timeline, memberships, em }) => {
        const target = await findMembership(em, timeline.id, userId);
        if (!target) throw notFound('Member');
        if (target.state !== 'active') throw badInput('Only active members have roles: approve or unblock them first');
        if (role !== 'admin') await this.keepAnAdmin(memberships, target, 'be demoted');
        return em.assign(target, { role });
      }),
    );
  }

  /** A join that inserted the row first makes the block's insert a unique violation: it runs again, and finds it. */
  async block(rawTimelineId: string, rawUserId: string): Promise<MembershipRow> {
    const userId = parseId(rawUserId, 'user id');
    const run = () =>
      this.manage(rawTimelineId, ADMINS, 'block users', async ({ timeline, em, caller }) => {
        if (userId === caller!.user) throw badInput('You cannot block yourself');
        if (!(await this.scope.loaders.user.load(userId))) throw notFound('User');
        const target = await findMembership(em, timeline.id, userId);
        const blocked = { role: 'member', state: 'blocked' } as const;
        return target ? em.assign(target, blocked) : em.create(TimelineMember, { timeline: timeline.id, user: userId, ...blocked });
      });
    return entityRow((await run().catch(insertedMeanwhile)) ?? (await run()));
  }

  unblock(rawTimelineId: string, rawUserId: string): Promise<boolean> {
    const userId = parseId(rawUserId, 'user id');
    return this.manage(rawTimelineId, ADMINS, 'unblock users', async ({ timeline, em }) => {
      const target = await findMembership(em, timeline.id, userId);
      if (target?.state !== 'blocked') throw notFound('Blocked user');
      em.remove(target);
      return true;
    });
  }

  /** The last active admin of a community cannot stop being one. */
  private async keepAnAdmin(memberships: MembershipRepository, membership: TimelineMember, action: string): Promise<void> {
    if (membership.role !== 'admin' || membership.state !== 'active') return;
    if ((await memberships.otherActiveAdmins(membership.timeline.id, membership.user.id)) === 0) {
      throw forbidden(`The last admin cannot ${action}: make another member admin first`);
    }
  }

  /**
   * Runs an admin's or moderator's change in one transaction holding the community's lock, after checking,
   * under that lock, that the caller is an active member with one of `roles`. A community the caller cannot
   * see is NOT_FOUND.
   */
  private async manage<T>(rawTimelineId: string, roles: MemberRole[], action: string, work: (locked: Locked) => Promise<T>): Promise<T> {
    const userId = this.users.requireViewer();
    const timeline = await this.community(rawTimelineId);
    const result = await this.scope.db.transaction(async (db: PreparedStatements) => {
      const memberships = new MembershipRepository(db);
      await memberships.lockCommunity(timeline.id);
      const caller = await memberships.find(timeline.id, userId);
      if (caller?.state !== 'active' || !roles.includes(caller.role)) {
        throw forbidden(`Only ${roles.join('s and ')}s of ${this.formatted(timeline)} may ${action}`);
      }
      return work({ timeline, memberships, caller, em: db.em });
    });
    this.scope.loaders.membership.clear(timeline.id);
    this.scope.loaders.memberCount.clear(timeline.id);
    return result;
  }

  /** A community the caller can see. */
  private async community(rawId: string): Promise<TimelineRow> {
    const timeline = await this.timelines.byId(rawId);
    if (!timeline) throw notFound('Timeline');
    if (timeline.timelineType !== 'community') throw badInput(`${this.formatted(timeline)} is not a community: only communities have members`);
    return timeline;
  }

  /** A community the caller can see, or a private one they may ask to join by id. */
  private async joinable(timelineId: number): Promise<TimelineRow> {
    const timeline = (await this.scope.loaders.timeline.load(timelineId)) ?? (await this.timelines.privateCommunity(timelineId));
    if (!timeline) throw notFound('Timeline');
    if (timeline.timelineType !== 'community') throw badInput(`${this.formatted(timeline)} is not a community: only communities have members`);
    return timeline;
  }
}

/** A membership as a managed entity of the unit of work `em` (to change or remove), read under the community's lock. */
function findMembership(em: EntityManager, timelineId: number, userId: number): Promise<TimelineMember | null> {
  return em.findOne(TimelineMember, { timeline: timelineId, user: userId });
}

export function userCursor(kind: string, cursor: string): number {
  const [userId] = decodeCursor(kind, cursor);
  if (!Number.isSafeInteger(userId)) throw badInput('"after" is not a valid cursor for this list');
  return userId as number;
}
