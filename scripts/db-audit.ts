import { auditTimelines, formatAudit } from '../src/db/audit';
import { runScript, withClient } from './database';

/** `npm run db:audit`: read-only report of the rows that block the V2 naming rules; exit 1 when any. */
runScript(() =>
  withClient(async (client) => {
    await client.query('begin transaction read only');
    const findings = await auditTimelines(client);
    await client.query('rollback');
    console.log(formatAudit(findings));
    if (findings.length === 0) return 0;
    console.log('\nFix: `npm run db:dedupe` shows the plan, `npm run db:dedupe -- --apply` applies it.');
    return 1;
  }),
);
