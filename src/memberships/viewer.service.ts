import { timelineGoneIsNotFound } from '../common/db-errors';
import { badInput, forbidden, notFound } from '../common/errors';
import { encodeCursor, pageSize, toConnection, type Connection, type PageArgs } from '../common/pagination';
import type { Scope } from '../common/scope';
import type { TimelineService } from '../timelines/timeline.service';
import type { UserService } from '../users/user.service';
import type { TimelineRow } from '../timelines/timeline.repository';
import type { UserRow } from '../users/user.repository';
import { userCursor } from './membership.service';
import { ViewerRepository } from './viewer.repository';

/** Read access to personal timelines, granted by their owners (SPEC section 9). */
export class ViewerService {
  constructor(
    private readonly scope: Scope,
    private readonly users: UserService,
    private readonly timelines: TimelineService,
  ) {}

  async add(rawTimelineId: string, username: string): Promise<UserRow> {
    const timeline = await this.ownPersonal(rawTimelineId);
    const user = await new ViewerRepository(this.scope.db).grant(timeline.id, username.normalize('NFKC').trim()).catch(timelineGoneIsNotFound);
    if (!user) throw notFound('User');
    return user;
  }

  async remove(rawTimelineId: string, username: string): Promise<boolean> {
    const timeline = await this.ownPersonal(rawTimelineId);
    if (!(await new ViewerRepository(this.scope.db).revoke(timeline.id, username.normalize('NFKC').trim()))) throw notFound('Viewer');
    return true;
  }

  /** Null for anyone but the owner. */
  async page(timeline: TimelineRow, args: PageArgs): Promise<Connection<UserRow> | null> {
    if (timeline.timelineType !== 'personal' || timeline.createdBy !== this.scope.viewerId) return null;
    const limit = pageSize(args.first);
    const afterUserId = args.after ? userCursor('viewer', args.after) : 0;
    const rows = await this.scope.loaders.viewerPage.load({ timelineId: timeline.id, afterUserId, limit: limit + 1 });
    return toConnection(rows, limit, (u) => encodeCursor('viewer', [u.id]));
  }

  /** The caller's own personal timeline; one they see as a viewer is FORBIDDEN, one they cannot see NOT_FOUND. */
  private async ownPersonal(rawTimelineId: string): Promise<TimelineRow> {
    const viewerId = this.users.requireViewer();
    const timeline = await this.timelines.byId(rawTimelineId);
    if (!timeline) throw notFound('Timeline');
    if (timeline.timelineType !== 'personal') throw badInput('Only personal timelines have viewers: communities have members');
    if (timeline.createdBy !== viewerId) throw forbidden('Only the owner of a personal timeline may grant or revoke access');
    return timeline;
  }
}
