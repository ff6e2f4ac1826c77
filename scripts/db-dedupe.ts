import { formatAudit } from '../src/db/audit';
import { dedupeTimelines } from '../src/db/dedupe';
import { progressReporter, progressSettingsFromEnv } from '../src/db/progress';
import { runScript, withClient } from './database';

/** `npm run db:dedupe [-- --apply]`: the fix for what `db:audit` reports, as a plan or applied in one transaction. */
runScript(() =>
  withClient(async (client) => {
    const apply = process.argv.includes('--apply');
    // On stderr, so that the plan on stdout can go to a file; settings as for migrations.
    const { mode, intervalMs } = progressSettingsFromEnv();
    const progress = progressReporter({
      mode: mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode,
      intervalMs,
      write: (line) => console.error(line),
    });
    const { changes, remaining, lookalikes } = await dedupeTimelines(client, { apply, progress });
    if (changes.length === 0) console.log('Nothing to change: nothing blocks the V2 naming rules.');
    else {
      console.log(apply ? `Applied ${changes.length} change(s), in one transaction:` : `Plan (dry run, nothing written): ${changes.length} change(s)`);
      for (const change of changes) console.log(`- ${change}`);
      if (!apply) console.log('\nRun `npm run db:dedupe -- --apply` to apply it.');
    }
    if (lookalikes.length > 0) {
      console.log(`\nNames that look like others (left as they are; rename them by hand, e.g. with updateTimeline):`);
      for (const line of lookalikes) console.log(`- ${line}`);
    }
    if (remaining.length > 0) {
      console.log(`\nStill blocking after the fixes (needs a decision by hand):\n${formatAudit(remaining)}`);
      return 1;
    }
    return 0;
  }),
);
