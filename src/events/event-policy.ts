import { forbidden } from '../common/errors';
import type { MemberRole } from '../memberships/timeline-member.entity';
import type { TimelineRow } from '../timelines/timeline.repository';
import type { Listing, LockedEvent } from './listing.repository';

const MANAGERS: readonly (MemberRole | null)[] = ['admin', 'moderator'];

/** What each action is judged on, read under the event's lock. */
interface Subjects {
  'event:edit': LockedEvent;
  'event:delete': LockedEvent;
  'listing:unshare': { listing: Listing; timeline: TimelineRow };
}

export type EventAction = keyof Subjects;

/** Who may do what to an event and its listings (SPEC section 11): each rule once, with the refusal it gives. */
const RULES: { [A in EventAction]: { allows(viewerId: number, subject: Subjects[A]): boolean; refusal: string } } = {
  'event:edit': {
    allows: (viewerId, event) => event.createdBy === viewerId,
    refusal: 'Only its creator may edit an event',
  },
  'event:delete': {
    allows: (viewerId, event) => event.createdBy === viewerId || (event.homeType === 'community' && MANAGERS.includes(event.homeRole)),
    refusal: 'Only its creator, or an admin or moderator of its home community, may delete an event',
  },
  'listing:unshare': {
    allows: (viewerId, { listing, timeline }) =>
      listing.sharedBy === viewerId ||
      (timeline.timelineType === 'community' ? MANAGERS.includes(listing.role) : timeline.createdBy === viewerId),
    refusal: 'Only whoever shared it, or an admin or moderator of that timeline, may unshare an event',
  },
};

/** FORBIDDEN unless `viewerId` may perform `action` on `subject` (which they can already see). */
export function assertCan<A extends EventAction>(viewerId: number, action: A, subject: Subjects[A]): void {
  const rule = RULES[action];
  if (!rule.allows(viewerId, subject)) throw forbidden(rule.refusal);
}
