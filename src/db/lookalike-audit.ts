import { nameProblem, type NameProblem } from '../naming/name-characters';
import { baseNameSql, typeSql } from './legacy-names';
import type { Session } from './migration-support';

/**
 * The second part of the audit (SPEC section 12): stored timeline names and usernames that the rules for
 * names that look alike would refuse today. They do not block the V2 chain (the database accepts them);
 * a person renames them. The rules live in `src/naming`, so the rows are judged in JavaScript, read in
 * batches by id so that a table of millions is never held in memory.
 */
export interface LookalikeFinding {
  table: 'timeline' | 'user';
  id: number;
  /** As stored. */
  name: string;
  /** What the rules judged: a timeline's V2 base name (NFKC, its type's prefix stripped), a username's NFKC. */
  judged: string;
  /** The timeline's V2 type (`hashtag`, …) and owner; null for users. */
  type: string | null;
  createdBy: number | null;
  problem: NameProblem;
}

export const LOOKALIKE_BATCH = 5000;

const TIMELINES = `select id, name, ${typeSql('timeline_type')} as type, created_by as "createdBy",
    ${baseNameSql('name', 'timeline_type')} as judged
  from timeline where id > $1 and name is not null order by id limit $2`;
const USERS = `select id, username as name, null as type, null as "createdBy", normalize(username, NFKC) as judged
  from "user" where id > $1 and username is not null order by id limit $2`;

type Row = Omit<LookalikeFinding, 'table' | 'problem'>;

export async function auditLookalikes(db: Session, batch = LOOKALIKE_BATCH): Promise<LookalikeFinding[]> {
  const findings: LookalikeFinding[] = [];
  for (const [table, sql] of [['timeline', TIMELINES], ['user', USERS]] as const) {
    for await (const row of inBatches(db, sql, batch)) {
      const problem = nameProblem(row.judged.trim());
      if (problem) findings.push({ table, ...row, problem });
    }
  }
  return findings;
}

async function* inBatches(db: Session, sql: string, batch: number): AsyncGenerator<Row> {
  for (let after = 0; ; ) {
    const { rows } = await db.query<Row>(sql, [after, batch]);
    yield* rows;
    if (rows.length < batch) return;
    after = rows[rows.length - 1].id;
  }
}

/** One line per row: what it is and what is wrong, with the code point or the scripts involved. */
export function describeLookalike(finding: LookalikeFinding): string {
  const what = finding.table === 'user' ? `user ${finding.id}: username` : `timeline ${finding.id} (${finding.type}): name`;
  return `${what} "${finding.name}" ${finding.problem.detail}`;
}

export function formatLookalikes(findings: LookalikeFinding[]): string {
  if (findings.length === 0) return 'No stored name or username breaks the rules for names that look alike.';
  return [
    `${findings.length} stored name(s) or username(s) break the rules for names that look alike (they do not block V2; ` +
      '`npm run db:dedupe` suggests a rename for each):',
    ...findings.map((finding) => `- ${describeLookalike(finding)}`),
  ].join('\n');
}
