import { auditTimelines, formatAudit } from '../src/db/audit';
import { auditLookalikes, formatLookalikes } from '../src/db/lookalike-audit';
import { runScript, withClient } from './database';

/**
 * `npm run db:audit [-- --strict]`: read-only report of the rows that block the V2 naming rules, then of the
 * names and usernames that look like others (SPEC section 12). Exit 1 when rows block V2; with `--strict`,
 * also when any name looks like another.
 */
runScript(() =>
  withClient(async (client) => {
    const strict = process.argv.includes('--strict');
    await client.query('begin transaction read only');
    const findings = await auditTimelines(client);
    const lookalikes = await auditLookalikes(client);
    await client.query('rollback');
    console.log(formatAudit(findings));
    console.log(`\n${formatLookalikes(lookalikes)}`);
    if (findings.length > 0) console.log('\nFix: `npm run db:dedupe` shows the plan, `npm run db:dedupe -- --apply` applies it.');
    return findings.length > 0 || (strict && lookalikes.length > 0) ? 1 : 0;
  }),
);
