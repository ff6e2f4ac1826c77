/**
 * Timeline V2 names computed in SQL, so that the audit, the migrations and `db:dedupe` agree with each other
 * on any database, V1 or partially migrated, without reading a row into the application. The expressions
 * mirror `src/naming`: NFKC, trimmed, whitespace runs collapsed (JavaScript's `\s`, spelled out so that the
 * result does not depend on the server's locale), the row's own type prefix stripped (ASCII, any case).
 */
const SPACE = String.raw`[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]`;

export const TIMELINE_TYPES = ['hashtag', 'community', 'personal'] as const;
export type LegacyTimelineType = (typeof TIMELINE_TYPES)[number];

export const PREFIX_OF: Record<LegacyTimelineType, string> = { hashtag: '#', community: 'i-', personal: 'My-' };

/** NFKC, trimmed, inner whitespace collapsed. */
export function canonicalSql(expr: string): string {
  return `regexp_replace(regexp_replace(normalize(${expr}, NFKC), '^${SPACE}+|${SPACE}+$', '', 'g'), '${SPACE}+', ' ', 'g')`;
}

/** The legacy type string as V2 stores it: lower case, trimmed. */
export function typeSql(typeExpr: string): string {
  return `lower(btrim(${typeExpr}))`;
}

/** The V2 base name of a legacy row: canonical, its own type's prefix (if any) stripped. */
export function baseNameSql(nameExpr: string, typeExpr: string): string {
  const name = canonicalSql(nameExpr);
  const type = typeSql(typeExpr);
  return `(case
    when ${type} = 'hashtag' and left(${name}, 1) = '#' then ${canonicalSql(`substr(${name}, 2)`)}
    when ${type} = 'community' and left(${name}, 2) in ('i-', 'I-') then ${canonicalSql(`substr(${name}, 3)`)}
    when ${type} = 'personal' and left(${name}, 3) ~ '^[Mm][Yy]-$' then ${canonicalSql(`substr(${name}, 4)`)}
    else ${name} end)`;
}

/** The type whose prefix a (canonical) name starts with, or null. */
export function prefixTypeSql(nameExpr: string): string {
  return `(case when left(${nameExpr}, 1) = '#' then 'hashtag'
    when left(${nameExpr}, 2) in ('i-', 'I-') then 'community'
    when left(${nameExpr}, 3) ~ '^[Mm][Yy]-$' then 'personal' end)`;
}

/** Case folding for uniqueness, exactly as the V2 indexes fold. */
export function foldSql(expr: string): string {
  return `upper(${expr} collate "und-x-icu")`;
}
