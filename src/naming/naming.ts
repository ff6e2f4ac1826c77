import { badInput } from '../common/errors';
import { assertOneScript, normalizeName } from './name-characters';

/**
 * Timeline V2 naming (SPEC section 2): the one place that canonicalises base names and composes and
 * parses formatted names. Case folding is not done here: it belongs to the database
 * (`upper(name collate "und-x-icu")`, see `TimelineRepository`).
 */
export type { TimelineKind as TimelineType } from '../timelines/timeline.entity';
import type { TimelineKind as TimelineType } from '../timelines/timeline.entity';

export const MAX_NAME_LENGTH = 100;

const PREFIXES: Record<TimelineType, string> = { hashtag: '#', community: 'i-', personal: 'My-' };
/** Longest first is irrelevant here: no prefix is a prefix of another. */
const TYPES = Object.keys(PREFIXES) as TimelineType[];
const CONTROL = /\p{Cc}/u;

export function formatName(type: TimelineType, baseName: string): string {
  return PREFIXES[type] + baseName;
}

/** The type whose prefix `raw` starts with (`i-` and `My-` in any case), if any. */
export function prefixTypeOf(raw: string): TimelineType | undefined {
  return TYPES.find((type) => startsWithFolded(raw, PREFIXES[type]));
}

/**
 * NFKC, trimmed, inner whitespace runs collapsed; then 1–100 characters, no control characters, no
 * reserved prefix, nothing SPEC section 12 refuses. `what` names the value in error messages ("name", "tag").
 */
export function canonicalBaseName(raw: string, what = 'name'): string {
  return checkedBaseName(normalizeName(raw, what), what);
}

/** `canonicalBaseName` of a string `normalizeName` has already passed (so it is NFKC). */
function checkedBaseName(normalized: string, what: string): string {
  const name = normalized.trim().replace(/\s+/gu, ' ');
  if (name === '') throw badInput(`The ${what} must not be empty`);
  if (CONTROL.test(name)) throw badInput(`The ${what} must not contain control characters`);
  if ([...name].length > MAX_NAME_LENGTH) {
    throw badInput(`The ${what} must be at most ${MAX_NAME_LENGTH} characters`);
  }
  const reserved = prefixTypeOf(name);
  if (reserved) {
    throw badInput(`The ${what} "${name}" must not start with "${PREFIXES[reserved]}" (reserved for ${reserved} timelines)`);
  }
  assertOneScript(name, what);
  return name;
}

/**
 * A name given to `createTimeline`: its own type's prefix is stripped, another type's prefix refused.
 */
export function baseNameForType(type: TimelineType, raw: string, what = 'name'): string {
  const trimmed = normalizeName(raw, what).trimStart();
  const prefixType = prefixTypeOf(trimmed);
  if (prefixType && prefixType !== type) {
    throw badInput(`"${raw}" carries the ${prefixType} prefix "${PREFIXES[prefixType]}" but the type is ${type}`);
  }
  const stripped = prefixType ? trimmed.slice(PREFIXES[prefixType].length) : trimmed;
  return checkedBaseName(stripped, what);
}

/** `#Climate` → hashtag `Climate`, `i-Climate` → community, `My-Climate` → personal. */
export function parseFormattedName(formatted: string): { type: TimelineType; name: string } {
  const trimmed = normalizeName(formatted, 'name').trimStart();
  const type = prefixTypeOf(trimmed);
  if (!type) {
    throw badInput(`"${formatted}" is not a formatted timeline name: it must start with "#", "i-" or "My-"`);
  }
  return { type, name: checkedBaseName(trimmed.slice(PREFIXES[type].length), 'name') };
}

/** ASCII prefixes only, so this comparison needs none of the database's Unicode folding. */
function startsWithFolded(value: string, prefix: string): boolean {
  return value.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
}
