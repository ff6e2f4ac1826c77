import { suggestedRename } from '../naming/rename-suggestion';
import { auditTimelines, type AuditFinding, type AuditRow } from './audit';
import { PREFIX_OF, TIMELINE_TYPES, baseNameSql, foldSql, typeSql, type LegacyTimelineType } from './legacy-names';
import { auditLookalikes, describeLookalike, type LookalikeFinding } from './lookalike-audit';
import type { Session } from './migration-support';
import { silentProgress, type ProgressReporter } from './progress';

/**
 * `npm run db:dedupe`: fixes every row the V2 audit reports, in one transaction (SPEC section 7).
 * - unknown type: the type its name's prefix says, else `community` (renamed, never merged, so nothing is
 *   folded into a timeline it was not part of);
 * - another type's prefix on a name (`i-Foo` stored as a hashtag): the type that prefix says, so that the name
 *   users saw keeps resolving;
 * - personal without owner: given to the creator of its earliest event; with no event, a private community;
 * - empty base name: `Timeline <id>`; longer than 100 characters: truncated;
 * - duplicates: hashtags merged into the oldest (events and references moved, no link duplicated), communities
 *   and personal timelines renamed `Name (2)`, `Name (3)`, … (the oldest keeps its name).
 * Names are written in their formatted form (`i-Foo (2)`): the name migration strips the prefix.
 * Without `apply` the same work runs and is rolled back, so the plan printed is exactly what `--apply` does.
 * Names and usernames that look like others (SPEC section 12) are not changed: it suggests a rename for each,
 * for a person to make.
 */
export interface DedupeResult {
  changes: string[];
  /** Findings left after the fixes (none unless a row needs a person's decision). */
  remaining: AuditFinding[];
  /** One line per stored name or username that looks like another, with a suggested rename. */
  lookalikes: string[];
  applied: boolean;
}

const MAX_PASSES = 5;

/** `progress` hears of each finding fixed and each lookalike judged (a large database has many). */
export async function dedupeTimelines(db: Session, options: { apply: boolean; progress?: ProgressReporter }): Promise<DedupeResult> {
  const progress = options.progress ?? silentProgress;
  const changes: string[] = [];
  await db.query('begin');
  try {
    let findings = await auditTimelines(db);
    for (let pass = 0; pass < MAX_PASSES && findings.length > 0; pass++) {
      const fixes = findings.filter((f) => f.kind !== 'duplicate');
      const duplicates = findings.filter((f) => f.kind === 'duplicate');
      const work = fixes.length > 0 ? fixes : duplicates;
      const task = progress.begin(`fix ${fixes.length > 0 ? 'rows' : 'duplicates'} (pass ${pass + 1})`, 'findings');
      for (const [i, finding] of work.entries()) {
        changes.push(...(fixes.length > 0 ? [await fixRow(db, finding)] : await fixDuplicates(db, finding)));
        task.update({ done: i + 1, total: work.length });
      }
      task.end();
      findings = await auditTimelines(db);
    }
    const lookalikes: string[] = [];
    const suspects = await auditLookalikes(db);
    const task = progress.begin('suggest renames for lookalikes', 'names');
    for (const [i, finding] of suspects.entries()) {
      lookalikes.push(await suggestRename(db, finding));
      task.update({ done: i + 1, total: suspects.length });
    }
    task.end();
    await db.query(options.apply ? 'commit' : 'rollback');
    return { changes, remaining: findings, lookalikes, applied: options.apply };
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}

const canonical = (value: string) => value.normalize('NFKC').trim().replace(/\s+/gu, ' ');

function prefixType(name: string): LegacyTimelineType | undefined {
  return TIMELINE_TYPES.find((type) => name.toLowerCase().startsWith(PREFIX_OF[type].toLowerCase()));
}

/** Strips prefixes while the name has one; the last one stripped decides the type. */
function resolveName(type: LegacyTimelineType, base: string): { type: LegacyTimelineType; base: string } {
  for (let found = prefixType(base); found; found = prefixType(base)) {
    type = found;
    base = canonical(base.slice(PREFIX_OF[found].length));
  }
  return { type, base };
}

/** The row, what is wrong, and a rename that is free (or why a person must choose one). */
async function suggestRename(db: Session, finding: LookalikeFinding): Promise<string> {
  const rename = suggestedRename(finding.judged);
  const type = TIMELINE_TYPES.find((known) => known === finding.type);
  let suggestion: string;
  if (rename === undefined) suggestion = 'rename it by hand: no valid name follows from dropping or swapping characters';
  else if (finding.table === 'user') {
    const { rows } = await db.query('select 1 from "user" where username = $1', [rename]);
    suggestion = rows.length === 0 ? `suggested rename: "${rename}"` : `"${rename}" is taken: it imitates that user; rename it by hand`;
  } else if (type === undefined) suggestion = `suggested rename: "${rename}"`;
  else {
    const free = await freeName(db, finding.id, type, rename, finding.createdBy, 1);
    const wanted = PREFIX_OF[type] + rename;
    suggestion = free === wanted ? `suggested rename: "${free}"` : `suggested rename: "${free}" ("${wanted}" is taken: it imitates that timeline)`;
  }
  return `${describeLookalike(finding)}; ${suggestion}`;
}

async function firstEventCreator(db: Session, timelineId: number): Promise<number | null> {
  const { rows } = await db.query<{ created_by: number }>(
    `select created_by from (
       select e.created_by, e.created_at, e.id from event e where e.timeline_id = $1
       union all
       select e.created_by, e.created_at, e.id from event_timeline_refs r join event e on e.id = r.event_id where r.timeline_id = $1
     ) x order by created_at, id limit 1`,
    [timelineId],
  );
  return rows[0]?.created_by ?? null;
}

async function fixRow(db: Session, finding: AuditFinding): Promise<string> {
  const row = finding.rows[0];
  const known = TIMELINE_TYPES.find((type) => type === row.type.trim().toLowerCase());
  let { type, base } = resolveName(known ?? 'community', row.base);
  let owner = row.createdBy;
  let visibility: string | null = null;
  const why: string[] = [finding.key];
  if (type === 'personal' && owner === null) {
    owner = await firstEventCreator(db, row.id);
    if (owner === null) {
      type = 'community';
      visibility = 'private';
      why.push('no event to tell its owner: a private community');
    } else {
      why.push(`given to user ${owner}, creator of its earliest event`);
    }
  }
  if (base === '') base = `Timeline ${row.id}`;
  if ([...base].length > 100) base = [...base].slice(0, 100).join('').trimEnd();
  const name = await freeName(db, row.id, type, base, owner, 1);
  await db.query(
    `update timeline set timeline_type = $2, name = $3, created_by = $4, visibility = coalesce($5, visibility) where id = $1`,
    [row.id, type, name, owner, visibility],
  );
  return `timeline ${row.id} "${row.name}" (type "${row.type}", created_by ${row.createdBy ?? 'null'}) → ${type} "${name}"` +
    `${owner !== row.createdBy ? `, created_by ${owner}` : ''}${visibility ? `, visibility ${visibility}` : ''} (${why.join('; ')})`;
}

/**
 * The formatted name `prefix + base` (or `base (n)` from `n` = 2 on) that neither the legacy UNIQUE(name) nor
 * the V2 key would refuse.
 */
async function freeName(db: Session, id: number, type: LegacyTimelineType, base: string, owner: number | null, from: number): Promise<string> {
  for (let n = from; ; n++) {
    const suffix = n === 1 ? '' : ` (${n})`;
    const room = 100 - PREFIX_OF[type].length - suffix.length;
    const candidate = `${[...base].slice(0, room).join('').trimEnd()}${suffix}`;
    const name = PREFIX_OF[type] + candidate;
    const { rows } = await db.query(
      `select 1 from timeline where id <> $1 and (name = $2 or (${typeSql('timeline_type')} = $3
         and ${foldSql(baseNameSql('name', 'timeline_type'))} = ${foldSql('$4::text')}
         and ($3 <> 'personal' or created_by = $5))) limit 1`,
      [id, name, type, candidate, owner],
    );
    if (rows.length === 0) return name;
  }
}

async function fixDuplicates(db: Session, finding: AuditFinding): Promise<string[]> {
  const [keep, ...others] = finding.rows;
  const type = keep.type.trim().toLowerCase() as LegacyTimelineType;
  if (type === 'hashtag') {
    const out: string[] = [];
    for (const other of others) out.push(await merge(db, keep, other));
    return out;
  }
  const out: string[] = [];
  let next = 2;
  for (const other of others) {
    const name = await freeName(db, other.id, type, other.base, other.createdBy, next);
    next = Number(/\((\d+)\)$/.exec(name)?.[1] ?? next) + 1;
    await db.query('update timeline set name = $2 where id = $1', [other.id, name]);
    out.push(`rename ${type} timeline ${other.id} "${other.name}" → "${name}" (${finding.key}; timeline ${keep.id} "${keep.name}" keeps its name)`);
  }
  return out;
}

async function merge(db: Session, keep: AuditRow, other: AuditRow): Promise<string> {
  const params = [keep.id, other.id];
  const events = await db.query('update event set timeline_id = $1 where timeline_id = $2', params);
  const twins = await db.query(
    `delete from event_timeline_refs r where r.timeline_id = $2 and (
       exists (select 1 from event_timeline_refs k where k.event_id = r.event_id and k.timeline_id = $1)
       or r.ctid <> (select min(x.ctid) from event_timeline_refs x where x.event_id = r.event_id and x.timeline_id = $2))`,
    params,
  );
  const moved = await db.query('update event_timeline_refs set timeline_id = $1 where timeline_id = $2', params);
  await db.query('delete from timeline where id = $1', [other.id]);
  return `merge hashtag timeline ${other.id} "${other.name}" into ${keep.id} "${keep.name}": ${events.rowCount} event(s) and ` +
    `${moved.rowCount} reference(s) moved, ${twins.rowCount} reference(s) already on ${keep.id} dropped`;
}
