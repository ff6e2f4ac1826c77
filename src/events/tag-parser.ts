import { badInput, type ApiError } from '../common/errors';
import { normalizeName } from '../naming/name-characters';
import { canonicalBaseName } from '../naming/naming';

/**
 * Tags of an event (SPEC section 6): explicit tags, then inline hashtags of the title, then of the
 * description, canonicalised like base names. Case-insensitive de-duplication is left to the database's
 * folding (`TagResolver`); here only identical strings are merged.
 */

/** More candidates than this cannot fold down to 50 distinct tags in any real input: refused before any SQL. */
export const MAX_TAG_CANDIDATES = 500;

/**
 * `#` + letters, digits, marks and `_`, not preceded by a letter, digit or `_`. In `##double` the second
 * `#` starts the tag (`double`): a run of `#` reads as one marker, as people type it. Joiners (ZWNJ, ZWJ)
 * belong to the word, as in Persian `#می‌خواهم`; where the naming rules do not allow them the tag is refused.
 */
const INLINE = /(?<![\p{L}\p{N}_])#([\p{L}\p{M}\p{N}_\u200C\u200D]+)/gu;
const LETTER = /\p{L}/u;
/** `scheme://…` up to the next whitespace: its fragment (`https://x.org/#anchor`) is not a tag. */
const URL_IN_TEXT = /(?<![\p{L}\p{N}])\p{L}[\p{L}\p{N}+.-]*:\/\/\S*/gu;

/** Inline hashtags of `text`, without `#`, in order of appearance (not canonicalised). */
export function inlineHashtags(text: string): string[] {
  const outsideUrls = text.replace(URL_IN_TEXT, ' ');
  return [...outsideUrls.matchAll(INLINE)].map((match) => match[1]).filter((tag) => LETTER.test(tag));
}

/** An explicit tag: one leading `#` is optional. Canonical base name, else BAD_USER_INPUT naming it. */
export function canonicalTag(raw: string): string {
  try {
    const trimmed = normalizeName(raw, 'tag').trimStart();
    return canonicalBaseName(trimmed.startsWith('#') ? trimmed.slice(1) : trimmed, 'tag');
  } catch (error) {
    throw badInput(`Invalid tag "${raw}": ${(error as Error).message}`, { ...(error as ApiError).extensions, tag: raw });
  }
}

export interface TaggedText {
  title: string;
  description?: string | null;
  tags?: readonly string[] | null;
}

/** Canonical tag candidates in first-seen order, identical strings merged. */
export function tagCandidates(input: TaggedText): string[] {
  const raw = [...(input.tags ?? []), ...inlineHashtags(input.title), ...inlineHashtags(input.description ?? '')];
  const candidates = [...new Set(raw.map(canonicalTag))];
  if (candidates.length > MAX_TAG_CANDIDATES) {
    throw badInput(`An event has at most 50 distinct tags; this one names ${candidates.length}`);
  }
  return candidates;
}
