import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../config';
import { LINT_EXCUSES, type LintExcuse } from './lint-excuses';

/**
 * `npm run db:lint`: the SQL each migration runs (as `npm run db:sql` prints it) goes through squawk, the
 * PostgreSQL migration linter (npm `squawk-cli`, a development dependency; its settings in `.squawk.toml`), one
 * file per migration. Findings covered by an excuse in `lint-excuses.ts` are counted, not reported.
 */
export interface LintFinding {
  migration: string;
  /** 1-based, in the migration's SQL. */
  line: number;
  column: number;
  rule: string;
  message: string;
  help: string;
  /** The line of SQL it points at. */
  text: string;
}

export interface LintReport {
  findings: LintFinding[];
  excused: { finding: LintFinding; excuse: LintExcuse }[];
}

interface SquawkFinding {
  file: string;
  line: number;
  column: number;
  rule_name: string;
  message: string;
  help: string | null;
}

const SQUAWK = join(projectRoot, 'node_modules', '.bin', 'squawk');

export async function lintMigrationSql(migrations: { name: string; sql: string }[], excuses: LintExcuse[] = LINT_EXCUSES): Promise<LintReport> {
  if (migrations.length === 0) return { findings: [], excused: [] };
  const dir = await mkdtemp(join(tmpdir(), 'itimeline-lint-'));
  try {
    const files = await Promise.all(
      migrations.map(async ({ name, sql }) => {
        const file = join(dir, `${name}.sql`);
        await writeFile(file, `${sql}\n`);
        return file;
      }),
    );
    const raw = await runSquawk(files);
    const sqlOf = new Map(migrations.map(({ name, sql }) => [name, sql.split('\n')]));
    const report: LintReport = { findings: [], excused: [] };
    for (const found of raw) {
      const migration = found.file.replace(/^.*\//, '').replace(/\.sql$/, '');
      // squawk counts lines and columns from 0.
      const finding: LintFinding = {
        migration,
        line: found.line + 1,
        column: found.column + 1,
        rule: found.rule_name,
        message: found.message,
        help: found.help ?? '',
        text: (sqlOf.get(migration)?.[found.line] ?? '').trim(),
      };
      const excuse = excuses.find((candidate) => covers(candidate, finding));
      if (excuse) report.excused.push({ finding, excuse });
      else report.findings.push(finding);
    }
    return report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function covers(excuse: LintExcuse, finding: LintFinding): boolean {
  return (
    excuse.rule === finding.rule &&
    (!excuse.migrations || excuse.migrations.includes(finding.migration)) &&
    (!excuse.statement || excuse.statement.test(finding.text))
  );
}

/** squawk exits 1 when it finds something and writes its findings as JSON either way; anything else is a failure. */
function runSquawk(files: string[]): Promise<SquawkFinding[]> {
  const args = ['--config', join(projectRoot, '.squawk.toml'), '--reporter', 'json', ...files];
  return new Promise((resolve, reject) => {
    execFile(SQUAWK, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (error as { code?: unknown }).code : 0;
      if (code !== 0 && code !== 1) {
        reject(new Error(`squawk failed (${String(code)}): ${stderr || error?.message}`));
        return;
      }
      try {
        resolve(stdout.trim() ? (JSON.parse(stdout) as SquawkFinding[]) : []);
      } catch {
        reject(new Error(`squawk printed something other than its JSON report: ${stdout.slice(0, 500)}${stderr}`));
      }
    });
  });
}

export function formatFinding(finding: LintFinding): string {
  return [
    `${finding.migration}:${finding.line}:${finding.column}: ${finding.rule}: ${finding.message}`,
    `    ${finding.text}`,
    ...(finding.help ? [`    help: ${finding.help}`] : []),
  ].join('\n');
}
