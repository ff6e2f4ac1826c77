/**
 * How timeline names are unique: case folded by `upper(... collate "und-x-icu")` (ICU folds like JavaScript's
 * `toUpperCase`, whatever the server's locale), per type, per owner for personal timelines. Every lookup by
 * name and every `on conflict` repeats these expressions and predicates literally: PostgreSQL matches an
 * expression index, and infers a partial index as a conflict target, only from the same text, never from a
 * parameter. The entity's indexes are built from the same strings.
 */

export const PUBLIC_NAME_INDEX = 'timeline_public_name_unique';
export const PERSONAL_NAME_INDEX = 'timeline_personal_name_unique';

/** The folded key of a text column or expression (e.g. `t.name`). */
export const folded = (text: string) => `upper(${text} collate "und-x-icu")`;

/** The folded key of a statement parameter (e.g. `$1`). */
export const foldedParam = (param: string) => folded(`${param}::text`);

/** `on conflict` targets, and the indexed columns of the two unique indexes. */
export const PUBLIC_NAME_CONFLICT = `(${folded('name')}, timeline_type) where timeline_type in ('hashtag', 'community')`;
export const PERSONAL_NAME_CONFLICT = `(${folded('name')}, timeline_type, created_by) where timeline_type = 'personal'`;

/** A unique violation on one of these is a name clash (SPEC section 3). */
export const NAME_INDEXES: ReadonlySet<string> = new Set([PUBLIC_NAME_INDEX, PERSONAL_NAME_INDEX]);
