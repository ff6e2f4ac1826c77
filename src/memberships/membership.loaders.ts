import DataLoader from 'dataloader';
import { byKey, pageLoader } from '../common/batching';
import type { PreparedStatements } from '../db/prepared';
import type { UserRow } from '../users/user.repository';
import type { MembershipRow } from './membership.repository';
import { MembershipRepository } from './membership.repository';
import type { MemberState } from './timeline-member.entity';
import { ViewerRepository } from './viewer.repository';

export interface MemberPageKey {
  timelineId: number;
  state: MemberState;
  afterUserId: number;
  limit: number;
}

export interface ViewerPageKey {
  timelineId: number;
  afterUserId: number;
  limit: number;
}

/**
 * Per-request batching for the membership fields of `Timeline` (one statement per field, whatever the rows).
 * Each loader is built on first use: most requests use none of them.
 */
export class MembershipLoaders {
  private readonly memberships: MembershipRepository;
  private readonly viewers: ViewerRepository;
  private loaded: {
    membership?: DataLoader<number, MembershipRow | undefined>;
    memberCount?: DataLoader<number, number>;
    memberPage?: DataLoader<MemberPageKey, MembershipRow[], string>;
    viewerPage?: DataLoader<ViewerPageKey, (UserRow & { timelineId: number })[], string>;
  } = {};

  constructor(
    sql: PreparedStatements,
    protected readonly viewerId: number | null,
  ) {
    this.memberships = new MembershipRepository(sql);
    this.viewers = new ViewerRepository(sql);
  }

  /** Drops every loader built so far, with the rows it cached: a later use builds it anew. */
  clear(): void {
    this.loaded = {};
  }

  /** The caller's own membership of each timeline (none for anonymous callers). */
  get membership() {
    return (this.loaded.membership ??= new DataLoader(async (timelineIds) => {
      const viewerId = this.viewerId;
      if (viewerId === null) return timelineIds.map(() => undefined);
      return byKey(timelineIds, await this.memberships.findOfUser(viewerId, timelineIds), (m) => m.timeline);
    }));
  }

  get memberCount() {
    return (this.loaded.memberCount ??= new DataLoader(async (timelineIds) => {
      const counts = new Map((await this.memberships.countActive(timelineIds)).map((row) => [row.timelineId, row.count]));
      return timelineIds.map((id) => counts.get(id) ?? 0);
    }));
  }

  get memberPage() {
    return (this.loaded.memberPage ??= pageLoader<MemberPageKey, MembershipRow>(
      (key) => `${key.state}|${key.afterUserId}|${key.limit}`,
      (ids, { state, afterUserId, limit }) => this.memberships.pages(ids, state, afterUserId, limit),
      (row) => row.timeline,
    ));
  }

  get viewerPage() {
    return (this.loaded.viewerPage ??= pageLoader<ViewerPageKey, UserRow & { timelineId: number }>(
      (key) => `${key.afterUserId}|${key.limit}`,
      (ids, { afterUserId, limit }) => this.viewers.pages(ids, afterUserId, limit),
      (row) => row.timelineId,
    ));
  }
}
