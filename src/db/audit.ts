import { PREFIX_OF, TIMELINE_TYPES, baseNameSql, foldSql, prefixTypeSql, typeSql } from './legacy-names';
import { check, type Session, type Step } from './migration-support';

/**
 * The V2 audit (SPEC section 7): every timeline row that the V2 rules would refuse once types and names are
 * normalised. Read-only; works on a V1 database and on a partially migrated one (it reads only V1 columns).
 * Used by `npm run db:audit`, by `npm run db:dedupe` and by the migrations that change names or types.
 */
export type FindingKind = 'duplicate' | 'unknown-type' | 'personal-without-owner' | 'reserved-prefix' | 'bad-length';

export interface AuditRow {
  id: number;
  name: string;
  type: string;
  createdBy: number | null;
  base: string;
}

export interface AuditFinding {
  kind: FindingKind;
  /** What the rows collide on or what is wrong, e.g. `hashtag "CLIMATE"`. */
  key: string;
  rows: AuditRow[];
  fix: string;
}

const KNOWN = TIMELINE_TYPES.map((type) => `'${type}'`).join(', ');

/** Every row with its V2 type and base name, plus which rule it breaks alone (null: none). */
const ROWS = `
  select id, name, timeline_type as raw_type, created_by, created_at, type, base,
    case when type not in (${KNOWN}) then 'unknown-type'
         when type = 'personal' and created_by is null then 'personal-without-owner'
         when ${prefixTypeSql('base')} is not null then 'reserved-prefix'
         when base = '' or char_length(base) > 100 then 'bad-length' end as problem
  from (select t.*, ${typeSql('t.timeline_type')} as type, ${baseNameSql('t.name', 't.timeline_type')} as base from timeline t) t`;

const AUDIT_SQL = `
  with rows as (${ROWS}),
  groups as (
    select type, ${foldSql('base')} as folded, case when type = 'personal' then created_by end as owner,
      array_agg(id order by created_at, id) as ids
    from rows where problem is null
    group by 1, 2, 3 having count(*) > 1
  ),
  single as (
    select problem, array[id] as ids, id from rows where problem is not null
  )
  select 'duplicate' as kind, g.type, g.folded, g.owner, g.ids from groups g
  union all
  select s.problem, null, null, null, s.ids from single s
  order by 1, 5`;

interface RawFinding {
  kind: FindingKind;
  type: string | null;
  folded: string | null;
  owner: number | null;
  ids: number[];
}

export async function auditTimelines(db: Session): Promise<AuditFinding[]> {
  const { rows: raw } = await db.query<RawFinding>(AUDIT_SQL);
  if (raw.length === 0) return [];
  const ids = raw.flatMap((finding) => finding.ids);
  const { rows: details } = await db.query<AuditRow & { firstEventBy: number | null }>(
    `select t.id, t.name, t.raw_type as type, t.created_by as "createdBy", t.base,
       (select created_by from (
          select e.created_by, e.created_at, e.id from event e where e.timeline_id = t.id
          union all
          select e.created_by, e.created_at, e.id from event_timeline_refs r join event e on e.id = r.event_id where r.timeline_id = t.id
        ) x order by created_at, id limit 1) as "firstEventBy"
     from (${ROWS}) t where t.id = any($1)`,
    [ids],
  );
  const byId = new Map(details.map((row) => [row.id, row]));
  return raw.map((finding) => {
    const rows = finding.ids.map((id) => byId.get(id)!);
    return { kind: finding.kind, key: keyOf(finding, rows[0]), rows: rows.map(stripExtra), fix: fixFor(finding, rows) };
  });
}

function stripExtra(row: AuditRow & { firstEventBy?: number | null }): AuditRow {
  return { id: row.id, name: row.name, type: row.type, createdBy: row.createdBy, base: row.base };
}

function keyOf(finding: RawFinding, row: AuditRow): string {
  switch (finding.kind) {
    case 'duplicate':
      return `${finding.type} "${finding.folded}"${finding.owner === null ? '' : ` of user ${finding.owner}`}`;
    case 'unknown-type':
      return `type "${row.type}"`;
    case 'personal-without-owner':
      return 'personal timeline without an owner';
    case 'reserved-prefix':
      return `base name "${row.base}" starts with another type's prefix`;
    case 'bad-length':
      return row.base === '' ? 'empty base name' : `base name longer than 100 characters`;
  }
}

function fixFor(finding: RawFinding, rows: (AuditRow & { firstEventBy: number | null })[]): string {
  const [first] = rows;
  switch (finding.kind) {
    case 'duplicate':
      return finding.type === 'hashtag'
        ? `db:dedupe merges ${rows.slice(1).map((row) => `#${row.id}`).join(', ')} into the oldest, #${first.id}, moving their events and references (no link is duplicated)`
        : `db:dedupe keeps #${first.id} and renames the others "${first.base} (2)", "${first.base} (3)", …`;
    case 'unknown-type':
      return `db:dedupe makes it a ${nameType(first.base) ?? 'community'} timeline (the type its name's prefix says, else community); or set timeline_type by hand`;
    case 'personal-without-owner':
      return first.firstEventBy === null
        ? 'db:dedupe makes it a private community (it has no events, so nobody could claim it)'
        : `db:dedupe gives it to user ${first.firstEventBy}, who created its earliest event`;
    case 'reserved-prefix': {
      const type = nameType(first.base)!;
      return `db:dedupe makes it a ${type} timeline, keeping the name users saw ("${first.base}")`;
    }
    case 'bad-length':
      return first.base === '' ? `db:dedupe names it "Timeline ${first.id}"` : 'db:dedupe truncates it to 100 characters';
  }
}

function nameType(base: string): string | undefined {
  return TIMELINE_TYPES.find((type) => base.toLowerCase().startsWith(PREFIX_OF[type].toLowerCase()));
}

/** A report for people: one block per finding. */
export function formatAudit(findings: AuditFinding[], limit = Infinity): string {
  if (findings.length === 0) return 'Nothing blocks the V2 naming rules.';
  const lines = [`${findings.length} group(s) of timeline rows block the V2 naming rules:`];
  for (const finding of findings.slice(0, limit)) {
    lines.push('', `- ${finding.kind}: ${finding.key}`);
    for (const row of finding.rows) {
      lines.push(`    timeline ${row.id}: name "${row.name}", type "${row.type}", created_by ${row.createdBy ?? 'null'}`);
    }
    lines.push(`    fix: ${finding.fix}`);
  }
  if (findings.length > limit) lines.push('', `… and ${findings.length - limit} more.`);
  return lines.join('\n');
}

export class BlockingRowsError extends Error {
  constructor(readonly migration: string, readonly findings: AuditFinding[]) {
    super(
      `${migration} refused to run and changed nothing: these timeline rows would break the V2 naming rules.\n\n` +
        `${formatAudit(findings, 20)}\n\n` +
        'Run `npm run db:audit` for the full report, `npm run db:dedupe` to see the fix and ' +
        '`npm run db:dedupe -- --apply` to apply it, then run the migrations again.',
    );
    this.name = 'BlockingRowsError';
  }
}

/** The migrations' guard: refuses (throws) when any row blocks. */
export async function assertNothingBlocks(db: Session, migration: string): Promise<void> {
  const findings = await auditTimelines(db);
  if (findings.length > 0) throw new BlockingRowsError(migration, findings);
}

/** The first step of every migration the V2 rules could break: refuse, changing nothing, while any row blocks. */
export function auditGuard(migration: string): Step {
  return check('V2 audit: no timeline row blocks the V2 naming rules', (db) => assertNothingBlocks(db, migration));
}
