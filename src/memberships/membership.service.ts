import { timelineGoneIsNotFound } from '../common/db-errors';
import { badInput, forbidden, notFound } from '../common/errors';
import { decodeCursor, encodeCursor, pageSize, parseId, toConnection, type Connection, type PageArgs } from '../common/pagination';
import type { PreparedStatements } from '../db/prepared';
import type { Scope } from '../common/scope';
import type { TimelineService } from '../timelines/timeline.service';
import type { UserService } from '../users/user.service';
import type { TimelineRow } from '../timelines/timeline.repository';
import type { MembershipRow } from './membership.repository';
import { MembershipRepository } from './membership.repository';
import type { MemberRole, MemberState } from './timeline-member.entity';

/** What an admin- or moderator-only change sees once it holds the community's lock. */
interface Locked {
  timeline: TimelineRow;
  memberships: MembershipRepository;
  /** The caller's membership, read under the lock. */
  caller: MembershipRow | undefined;
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
    const memberships = new MembershipRepository(this.scope.db);
    const state = timeline.visibility === 'public' && !timeline.requiresApproval ? 'active' : 'pending';
    // A concurrent join's row is invisible to this statement's snapshot once it conflicts: read it anew.
    const membership = (await memberships.insert(timeline.id, userId, 'member', state).catch(timelineGoneIsNotFound)) ?? (await memberships.find(timeline.id, userId));
    if (!membership) throw notFound('Timeline');
    if (membership.state === 'blocked') throw forbidden('You are blocked from this community');
    this.scope.loaders.membership.clear(timeline.id).prime(timeline.id, membership);
    return membership;
  }

  /** Leaves, or withdraws a pending request. The last admin cannot leave; a blocked user cannot lift the block so. */
  async leave(rawId: string): Promise<boolean> {
    const userId = this.users.requireViewer();
    const timelineId = parseId(rawId, 'timeline id');
    return this.scope.db.transaction(async (sql) => {
      const memberships = new MembershipRepository(sql);
      await memberships.lockCommunity(timelineId);
      const own = await memberships.find(timelineId, userId);
      if (!own) throw notFound('Membership');
      if (own.state === 'blocked') throw forbidden('You are blocked from this community');
      await this.keepAnAdmin(memberships, own, 'leave');
      return memberships.delete(timelineId, userId, own.state);
    });
  }

  approve(rawTimelineId: string, rawUserId: string): Promise<MembershipRow> {
    return this.manage(rawTimelineId, MANAGERS, 'approve members', async ({ timeline, memberships }) => {
      const target = await memberships.find(timeline.id, parseId(rawUserId, 'user id'));
      if (target?.state !== 'pending') throw notFound('Pending request');
      return (await memberships.update(timeline.id, target.user, target.role, 'active'))!;
    });
  }

  deny(rawTimelineId: string, rawUserId: string): Promise<boolean> {
    return this.manage(rawTimelineId, MANAGERS, 'deny members', async ({ timeline, memberships }) => {
      if (!(await memberships.delete(timeline.id, parseId(rawUserId, 'user id'), 'pending'))) throw notFound('Pending request');
      return true;
    });
  }

  setRole(rawTimelineId: string, rawUserId: string, role: MemberRole): Promise<MembershipRow> {
    return this.manage(rawTimelineId, ADMINS, 'change roles', async ({ timeline, memberships }) => {
      const target = await memberships.find(timeline.id, parseId(rawUserId, 'user id'));
      if (!target) throw notFound('Member');
      if (target.state !== 'active') throw badInput('Only active members have roles: approve or unblock them first');
      if (role !== 'admin') await this.keepAnAdmin(memberships, target, 'be demoted');
      return (await memberships.update(timeline.id, target.user, role, 'active'))!;
    });
  }

  block(rawTimelineId: string, rawUserId: string): Promise<MembershipRow> {
    const userId = parseId(rawUserId, 'user id');
    return this.manage(rawTimelineId, ADMINS, 'block users', async ({ timeline, memberships, caller }) => {
      if (userId === caller!.user) throw badInput('You cannot block yourself');
      if (!(await this.scope.loaders.user.load(userId))) throw notFound('User');
      return memberships.block(timeline.id, userId);
    });
  }

  unblock(rawTimelineId: string, rawUserId: string): Promise<boolean> {
    return this.manage(rawTimelineId, ADMINS, 'unblock users', async ({ timeline, memberships }) => {
      if (!(await memberships.delete(timeline.id, parseId(rawUserId, 'user id'), 'blocked'))) throw notFound('Blocked user');
      return true;
    });
  }

  /** The last active admin of a community cannot stop being one. */
  private async keepAnAdmin(memberships: MembershipRepository, membership: MembershipRow, action: string): Promise<void> {
    if (membership.role !== 'admin' || membership.state !== 'active') return;
    if ((await memberships.otherActiveAdmins(membership.timeline, membership.user)) === 0) {
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
    const result = await this.scope.db.transaction(async (sql: PreparedStatements) => {
      const memberships = new MembershipRepository(sql);
      await memberships.lockCommunity(timeline.id);
      const caller = await memberships.find(timeline.id, userId);
      if (caller?.state !== 'active' || !roles.includes(caller.role)) {
        throw forbidden(`Only ${roles.join('s and ')}s of ${this.formatted(timeline)} may ${action}`);
      }
      return work({ timeline, memberships, caller });
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

export function userCursor(kind: string, cursor: string): number {
  const [userId] = decodeCursor(kind, cursor);
  if (!Number.isSafeInteger(userId)) throw badInput('"after" is not a valid cursor for this list');
  return userId as number;
}
