import { LockMode } from '@mikro-orm/core';
import { nameClashIsTaken } from '../common/db-errors';
import { badInput, forbidden, notFound, unauthenticated } from '../common/errors';
import { decodeCursor, encodeCursor, pageSize, parseId, toConnection, type Connection } from '../common/pagination';
import type { CreateTimelineInput, QueryTimelinesArgs, UpdateTimelineInput } from '../generated/graphql';
import { baseNameForType, formatName, parseFormattedName } from '../naming/naming';
import type { Scope } from '../common/scope';
import type { UserService } from '../users/user.service';
import { TimelineMember, type MemberRole } from '../memberships/timeline-member.entity';
import { Timeline, type TimelineKind, type TimelineVisibility } from './timeline.entity';
import { MembershipRepository } from '../memberships/membership.repository';
import type { TimelineRow } from './timeline.repository';
import { TimelineRepository } from './timeline.repository';
import { entityRow } from '../db/columns';

export const MAX_DESCRIPTION_LENGTH = 5000;

/** What `deleteTimeline` reports. */
export interface DeletedTimeline {
  id: number;
  formattedName: string;
  deletedEvents: number;
  removedListings: number;
}

export class TimelineService {
  private readonly timelines: TimelineRepository;

  constructor(
    private readonly scope: Scope,
    private readonly users: UserService,
  ) {
    this.timelines = new TimelineRepository(scope.db);
  }

  formattedName(timeline: TimelineRow): string {
    return formatName(timeline.timelineType, timeline.name);
  }

  /** Null when it does not exist or the caller may not see it. */
  async byId(rawId: string): Promise<TimelineRow | null> {
    return (await this.scope.loaders.timeline.load(parseId(rawId, 'timeline id'))) ?? null;
  }

  async byFormattedName(formattedName: string): Promise<TimelineRow | null> {
    const { type, name } = parseFormattedName(formattedName);
    if (type === 'personal' && this.scope.viewerId === null) {
      throw unauthenticated('Sign in to look up a personal (My-) timeline');
    }
    return (await this.timelines.findByName(type, name, this.scope.viewerId)) ?? null;
  }

  async list(args: QueryTimelinesArgs): Promise<Connection<TimelineRow>> {
    const size = pageSize(args.first);
    const [afterId] = args.after ? decodeCursor('timeline', args.after) : [0];
    if (!Number.isSafeInteger(afterId)) throw badInput('"after" is not a valid cursor for this list');
    const search = args.search?.normalize('NFKC').trim().replace(/\s+/gu, ' ');
    const rows = await this.timelines.findVisible(
      { type: args.type ?? undefined, search: search || undefined, afterId: afterId as number, limit: size + 1 },
      this.scope.viewerId,
    );
    return toConnection(rows, size, (t) => encodeCursor('timeline', [t.id]));
  }

  /**
   * The timeline the caller may post an event to (SPEC sections 5 and 9): any hashtag timeline, their own
   * personal timeline, a community they are an ACTIVE member of. One they cannot see is NOT_FOUND; one they
   * can see but not post to (a community they have not joined or are blocked from, a personal timeline
   * shared with them) is FORBIDDEN.
   */
  async postable(rawId: string): Promise<TimelineRow> {
    const viewerId = this.users.requireViewer();
    const timeline = await this.byId(rawId);
    if (!timeline) throw notFound('Timeline');
    if (timeline.timelineType === 'personal' && timeline.createdBy !== viewerId) {
      throw forbidden(`Only its owner may post to ${this.formattedName(timeline)}`);
    }
    if (timeline.timelineType === 'community' && (await this.scope.loaders.membership.load(timeline.id))?.state !== 'active') {
      throw forbidden(`Only active members of ${this.formattedName(timeline)} may post to it`);
    }
    return timeline;
  }

  /** A private community whether or not the caller may see it (for `joinTimeline` by id). */
  async privateCommunity(id: number): Promise<TimelineRow | null> {
    return (await this.timelines.findPrivateCommunity(id)) ?? null;
  }

  /** The creator of a community becomes its first ADMIN, in the same transaction. */
  async create(input: CreateTimelineInput): Promise<TimelineRow> {
    const createdById = this.users.requireViewer();
    const name = baseNameForType(input.type, input.name);
    if (input.requiresApproval && input.type !== 'community') throw badInput('Only communities can require approval to join');
    const type = input.type;
    const created = await this.scope.db
      .transaction(async ({ em }) => {
        const timeline = em.create(Timeline, {
          name,
          timelineType: type,
          description: checkDescription(input.description),
          visibility: visibilityFor(type, input.visibility),
          requiresApproval: input.requiresApproval ?? false,
          createdBy: createdById,
        });
        if (type === 'community') em.create(TimelineMember, { timeline, user: createdById, role: 'admin', state: 'active' });
        return timeline;
      })
      .catch((error: unknown) => nameClashIsTaken(error, formatName(type, name)));
    return entityRow(created);
  }

  /** Allowed to the creator; for a community, to its active admins and moderators instead (SPEC section 9). */
  async update(rawId: string, input: UpdateTimelineInput): Promise<TimelineRow> {
    const timeline = await this.managed(rawId, ['admin', 'moderator'], 'edit');
    const type = timeline.timelineType;
    const name = input.name == null ? undefined : baseNameForType(type, input.name);
    const changes: Partial<Pick<Timeline, 'name' | 'description' | 'visibility' | 'requiresApproval'>> = {
      ...(name !== undefined && { name }),
      ...(input.description !== undefined && { description: checkDescription(input.description) }),
      ...(input.visibility != null && { visibility: visibilityFor(type, input.visibility, 'update') }),
      ...(input.requiresApproval != null && { requiresApproval: input.requiresApproval }),
    };
    if (changes.requiresApproval && type !== 'community') throw badInput('Only communities can require approval to join');
    // The row is read again under its lock: the change applies to what is there now (or to nothing, deleted meanwhile).
    const updated = await this.scope.db
      .transaction(async ({ em }) => {
        const locked = await em.findOne(Timeline, timeline.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!locked) throw notFound('Timeline');
        return em.assign(locked, changes);
      })
      .catch((error: unknown) => nameClashIsTaken(error, formatName(type, name!)));
    const row = entityRow(updated);
    this.scope.loaders.timeline.clear(timeline.id).prime(timeline.id, row);
    return row;
  }

  /**
   * Allowed to the creator; for a community, to its active admins instead. Deletes the events homed on it
   * and every listing on it, in one transaction holding the timeline's lock, so that no event is listed on
   * it meanwhile; the permission is checked again under that lock.
   */
  async remove(rawId: string): Promise<DeletedTimeline> {
    const timeline = await this.managed(rawId, ['admin'], 'delete');
    const counts = await this.scope.db.transaction(async (sql) => {
      const timelines = new TimelineRepository(sql);
      await timelines.lock(timeline.id);
      await this.checkManager(timeline, ['admin'], 'delete', new MembershipRepository(sql));
      return timelines.deleteWithEvents(timeline.id);
    });
    this.scope.loaders.timeline.clear(timeline.id);
    return { id: timeline.id, formattedName: this.formattedName(timeline), ...counts };
  }

  /** A timeline the caller can see (else NOT_FOUND) and may manage with one of `roles` (else FORBIDDEN). */
  private async managed(rawId: string, roles: MemberRole[], action: string): Promise<TimelineRow> {
    this.users.requireViewer();
    const timeline = await this.byId(rawId);
    if (!timeline) throw notFound('Timeline');
    await this.checkManager(timeline, roles, action);
    return timeline;
  }

  private async checkManager(timeline: TimelineRow, roles: MemberRole[], action: string, memberships?: MembershipRepository) {
    const viewerId = this.scope.viewerId!;
    if (timeline.timelineType !== 'community') {
      if (timeline.createdBy !== viewerId) throw forbidden(`Only the creator of ${this.formattedName(timeline)} may ${action} it`);
      return;
    }
    const own = memberships ? await memberships.find(timeline.id, viewerId) : await this.scope.loaders.membership.load(timeline.id);
    if (own?.state !== 'active' || !roles.includes(own.role)) {
      throw forbidden(`Only ${roles.join('s and ')}s of ${this.formattedName(timeline)} may ${action} it`);
    }
  }
}

function checkDescription(description: string | null | undefined): string | null {
  if (description == null) return null;
  if ([...description].length > MAX_DESCRIPTION_LENGTH) {
    throw badInput(`The description must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  return description;
}

/**
 * Hashtags are public by nature; a personal timeline is private to its owner whatever `createTimeline` asks
 * (`updateTimeline` asking otherwise is refused: it would change nothing).
 */
function visibilityFor(type: TimelineKind, requested: TimelineVisibility | null | undefined, action: 'create' | 'update' = 'create'): TimelineVisibility {
  if (type === 'personal' && action === 'update' && requested === 'public') {
    throw badInput('Personal timelines are always private: grant read access with addViewer');
  }
  if (type === 'personal') return 'private';
  if (type === 'hashtag' && requested === 'private') throw badInput('Hashtag timelines are always public');
  return requested ?? 'public';
}
