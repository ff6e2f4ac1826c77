import { timelineGoneIsNotFound } from '../common/db-errors';
import { notFound } from '../common/errors';
import { parseId } from '../common/pagination';
import type { Scope } from '../common/scope';
import type { PreparedStatements } from '../db/prepared';
import type { UpdateEventInput } from '../generated/graphql';
import type { UserService } from '../users/user.service';
import { checkEventUpdate } from './event-input';
import { assertCan } from './event-policy';
import type { EventRow } from './event.repository';
import { ListingRepository, type LockedEvent } from './listing.repository';
import { canonicalTag, inlineHashtags, tagCandidates } from './tag-parser';
import { TagResolver } from './tag-resolver';

/** What `deleteEvent` reports. */
export interface DeletedEvent {
  id: number;
  removedListings: number;
}

/**
 * `updateEvent` and `deleteEvent` (SPEC section 11). Each is one unit of work that locks the event's row first,
 * so that edits, deletes and shares of one event serialise and each sees the listings the previous one left;
 * then a fixed number of set-based statements, whatever the number of tags and listings: the lock, fold and find
 * (plus, for new tags, the insert of the missing hashtag timelines and a re-read), and one statement that
 * rewrites the event and its listings.
 */
export class EventChanges {
  constructor(
    private readonly scope: Scope,
    private readonly users: UserService,
  ) {}

  async update(rawId: string, input: UpdateEventInput): Promise<EventRow> {
    const viewerId = this.users.requireViewer();
    const id = parseId(rawId, 'event id');
    const explicitInput = input.tags === undefined ? undefined : (input.tags ?? []).map(canonicalTag);
    const updated = await this.scope.db
      .transaction(async (db) => {
        const event = await this.locked(db, id, viewerId);
        assertCan(viewerId, 'event:edit', event);
        const fields = checkEventUpdate(input, event);
        const resolver = new TagResolver();
        const oldInline = readableInlineTags(event);
        const newInline = tagCandidates({ title: fields.title, description: fields.description });
        await resolver.load(db, [...event.tags, ...oldInline, ...(explicitInput ?? []), ...newInline]);
        const explicit = explicitInput ?? storedExplicitTags(event.tags, oldInline, resolver);
        const candidates = tagCandidates({ ...fields, tags: explicit });
        await resolver.load(db, candidates);
        const tags = resolver.distinct(candidates);
        // An event homed on a personal timeline keeps its tags but is listed nowhere else (SPEC section 5).
        const listsTags = event.homeType !== 'personal';
        const timelineOf = listsTags ? await resolver.timelines(db, [tags], viewerId) : new Map<string, number>();
        const tagTimelines = listsTags ? tags.folded.map((key) => timelineOf.get(key)!) : [];
        return new ListingRepository(db).retag(id, { ...fields, tags: tags.tags }, tagTimelines);
      })
      // A hashtag timeline may be deleted between its resolution and the listing's insert.
      .catch(timelineGoneIsNotFound);
    this.forget(id);
    return updated;
  }

  async remove(rawId: string): Promise<DeletedEvent> {
    const viewerId = this.users.requireViewer();
    const id = parseId(rawId, 'event id');
    const removedListings = await this.scope.db.transaction(async (db) => {
      assertCan(viewerId, 'event:delete', await this.locked(db, id, viewerId));
      return new ListingRepository(db).deleteEvent(id);
    });
    this.forget(id);
    return { id, removedListings };
  }

  /** The event under its row lock; NOT_FOUND when it does not exist or the caller cannot see it. */
  private async locked(db: PreparedStatements, id: number, viewerId: number): Promise<LockedEvent> {
    const event = await new ListingRepository(db).lockEvent(id, viewerId, 'update');
    if (!event?.visible) throw notFound('Event');
    return event;
  }

  private forget(id: number): void {
    this.scope.loaders.event.clear(id);
    this.scope.loaders.listings.clear(id);
  }
}

/**
 * The inline tags the stored title and description give today, canonical, skipping any that today's rules
 * refuse (a stored event may predate them): only used to tell the stored explicit tags apart.
 */
function readableInlineTags(event: { title: string; description: string | null }): string[] {
  return [...inlineHashtags(event.title), ...inlineHashtags(event.description ?? '')].flatMap((tag) => {
    try {
      return [canonicalTag(tag)];
    } catch {
      return [];
    }
  });
}

/**
 * The explicit tags of a stored event: its tags that its title and description do not produce inline (the
 * event keeps only the merged list, so a tag given both ways counts as inline and follows the text).
 */
function storedExplicitTags(tags: readonly string[], inline: readonly string[], resolver: TagResolver): string[] {
  const inlineKeys = new Set(inline.map((tag) => resolver.folded(tag)));
  return tags.filter((tag) => !inlineKeys.has(resolver.folded(tag)));
}
