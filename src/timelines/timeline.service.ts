import { badInput, forbidden, nameTaken, notFound, unauthenticated } from '../common/errors';
import { decodeCursor, encodeCursor, pageSize, parseId, toConnection, type Connection } from '../common/pagination';
import { baseNameForType, formatName, parseFormattedName, type TimelineType } from '../naming/naming';
import type { Context } from '../server/context';
import type { TimelineKind, TimelineVisibility } from './timeline.entity';
import type { TimelineRecord } from './timeline.record';
import { TimelineRepository } from './timeline.repository';

export const MAX_DESCRIPTION_LENGTH = 5000;

export interface CreateTimelineInput {
  name: string;
  type: TimelineType;
  description?: string | null;
  visibility?: 'PUBLIC' | 'PRIVATE' | null;
}

export interface TimelinesArgs {
  type?: TimelineType | null;
  search?: string | null;
  first?: number | null;
  after?: string | null;
}

/** GraphQL's upper-case enum values ↔ the lower-case strings stored since V1. */
export const kindOf = (type: TimelineType) => type.toLowerCase() as TimelineKind;
export const typeOf = (kind: TimelineKind) => kind.toUpperCase() as TimelineType;

export class TimelineService {
  private readonly timelines: TimelineRepository;

  constructor(private readonly context: Context) {
    this.timelines = new TimelineRepository(context.sql);
  }

  formattedName(timeline: TimelineRecord): string {
    return formatName(typeOf(timeline.type), timeline.name);
  }

  /** Null when it does not exist or the caller may not see it. */
  async byId(rawId: string): Promise<TimelineRecord | null> {
    return (await this.context.loaders.timeline.load(parseId(rawId, 'timeline id'))) ?? null;
  }

  async byFormattedName(formattedName: string): Promise<TimelineRecord | null> {
    const { type, name } = parseFormattedName(formattedName);
    if (type === 'PERSONAL' && this.context.viewerId === null) {
      throw unauthenticated('Sign in to look up a personal (My-) timeline');
    }
    return (await this.timelines.findByName(kindOf(type), name, this.context.viewerId)) ?? null;
  }

  async list(args: TimelinesArgs): Promise<Connection<TimelineRecord>> {
    const size = pageSize(args.first);
    const [afterId] = args.after ? decodeCursor('timeline', args.after) : [0];
    if (!Number.isSafeInteger(afterId)) throw badInput('"after" is not a valid cursor for this list');
    const search = args.search?.normalize('NFKC').trim().replace(/\s+/gu, ' ');
    const rows = await this.timelines.findVisible(
      { type: args.type ? kindOf(args.type) : undefined, search: search || undefined, afterId: afterId as number, limit: size + 1 },
      this.context.viewerId,
    );
    return toConnection(rows, size, (t) => encodeCursor('timeline', [t.id]));
  }

  /**
   * The timeline the caller may post an event to (SPEC section 5): any hashtag timeline, their own
   * personal timeline, a community they are an active member of (until memberships exist: its creator).
   * One they cannot see is NOT_FOUND; one they can see but not post to is FORBIDDEN.
   */
  async postable(rawId: string): Promise<TimelineRecord> {
    const viewerId = this.context.users.requireViewer();
    const timeline = await this.byId(rawId);
    if (!timeline || (timeline.type === 'personal' && timeline.createdById !== viewerId)) throw notFound('Timeline');
    if (timeline.type === 'community' && timeline.createdById !== viewerId) {
      throw forbidden(`Only members of ${this.formattedName(timeline)} may post to it`);
    }
    return timeline;
  }

  async create(input: CreateTimelineInput): Promise<TimelineRecord> {
    const createdById = this.context.users.requireViewer();
    const name = baseNameForType(input.type, input.name);
    const created = await this.timelines.insert({
      name,
      type: kindOf(input.type),
      description: checkDescription(input.description),
      visibility: visibilityFor(input.type, input.visibility),
      requiresApproval: false,
      createdById,
    });
    if (!created) throw nameTaken(formatName(input.type, name));
    return created;
  }
}

function checkDescription(description: string | null | undefined): string | null {
  if (description == null) return null;
  if ([...description].length > MAX_DESCRIPTION_LENGTH) {
    throw badInput(`The description must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  return description;
}

/** Hashtags are public by nature; a personal timeline is private to its owner whatever is asked. */
function visibilityFor(type: TimelineType, requested: 'PUBLIC' | 'PRIVATE' | null | undefined): TimelineVisibility {
  if (type === 'PERSONAL') return 'private';
  if (type === 'HASHTAG' && requested === 'PRIVATE') throw badInput('Hashtag timelines are always public');
  return requested === 'PRIVATE' ? 'private' : 'public';
}
