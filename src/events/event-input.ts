import { badInput } from '../common/errors';
import type { CreateEventInput, UpdateEventInput } from '../generated/graphql';
import type { EventKind } from './event.entity';

export const MAX_TITLE_LENGTH = 200;
export const MAX_EVENT_DESCRIPTION_LENGTH = 10_000;
export const MAX_URL_LENGTH = 500;
/** PostgreSQL's `timestamp` takes years 4713 BC–294276 AD; ISO strings beyond 9999 are not portable. */
const MAX_YEAR = 9999;
const CONTROL_IN_LINE = /\p{Cc}/u;

/** The event's own fields, checked (SPEC section 4); tags and the home timeline are checked elsewhere. */
export interface EventFields {
  title: string;
  description: string | null;
  /** ISO 8601 in UTC; null: now. */
  eventDate: string | null;
  type: EventKind;
  url: string | null;
  mediaUrl: string | null;
}

export function checkEventFields(input: CreateEventInput): EventFields {
  const title = input.title.trim();
  const titleLength = [...title].length;
  if (titleLength < 1 || titleLength > MAX_TITLE_LENGTH) throw badInput(`The title must be 1–${MAX_TITLE_LENGTH} characters`);
  if (CONTROL_IN_LINE.test(title)) throw badInput('The title must not contain control characters');
  const description = input.description ?? null;
  if (description !== null && [...description].length > MAX_EVENT_DESCRIPTION_LENGTH) {
    throw badInput(`The description must be at most ${MAX_EVENT_DESCRIPTION_LENGTH} characters`);
  }
  if (description !== null && description.includes('\0')) throw badInput('The description must not contain NUL characters');
  const type = input.type ?? 'remark';
  const url = checkUrl(input.url, 'url');
  const mediaUrl = checkUrl(input.mediaUrl, 'mediaUrl');
  if (type === 'media' && mediaUrl === null) throw badInput('A MEDIA event needs a mediaUrl');
  return { title, description, eventDate: checkDate(input.eventDate), type, url, mediaUrl };
}

/** The fields required in `createEvent`: `updateEvent` may omit them, never clear them. */
const REQUIRED_FIELDS = ['title', 'eventDate', 'type'] as const;

/**
 * `updateEvent`'s fields over the event's current ones: omitted fields stay, null clears description, url and
 * mediaUrl; the result is checked by `createEvent`'s rules. `eventDate` is null when it does not change.
 */
export function checkEventUpdate(input: UpdateEventInput, current: Omit<EventFields, 'eventDate'>): EventFields {
  for (const field of REQUIRED_FIELDS) if (input[field] === null) throw badInput(`"${field}" cannot be cleared`, { field });
  const kept = <K extends 'description' | 'url' | 'mediaUrl'>(field: K) => (input[field] === undefined ? current[field] : input[field]);
  return checkEventFields({
    title: input.title ?? current.title,
    description: kept('description'),
    eventDate: input.eventDate,
    type: input.type ?? current.type,
    url: kept('url'),
    mediaUrl: kept('mediaUrl'),
  });
}

/** http(s) only, so that no `javascript:` or `data:` URL ever reaches a client. */
function checkUrl(raw: string | null | undefined, field: string): string | null {
  if (raw == null) return null;
  const url = raw.trim();
  if (url === '') return null;
  if ([...url].length > MAX_URL_LENGTH) throw badInput(`"${field}" must be at most ${MAX_URL_LENGTH} characters`);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || /\s|\p{Cc}/u.test(url)) {
    throw badInput(`"${field}" must be an http or https URL`);
  }
  return url;
}

function checkDate(date: Date | null | undefined): string | null {
  if (date == null) return null;
  const year = date.getUTCFullYear();
  if (year < 1 || year > MAX_YEAR) throw badInput(`eventDate must be between the years 1 and ${MAX_YEAR}`);
  return date.toISOString();
}
