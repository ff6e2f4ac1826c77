import { DefaultLogger, type LogContext } from '@mikro-orm/core';

/** The SQL statements one operation ran (`extensions.sqlStatements`): N+1 shows as a growing count. */
export class StatementCounter {
  count = 0;
}

/** What an operation's fork carries in its logger context, so that the ORM's own queries are counted too. */
export interface CountedLogContext extends LogContext {
  statements?: StatementCounter;
}

const TRANSACTION_CONTROL = /^(begin|commit|rollback|savepoint|release savepoint)\b/i;

/**
 * MikroORM's default logger that also counts, on the operation's `StatementCounter`, every query the ORM
 * runs for that operation (transaction control aside, as the hand-written statements count it).
 */
export class CountingLogger extends DefaultLogger {
  override logQuery(context: CountedLogContext & { query: string }): void {
    if (context.statements && !TRANSACTION_CONTROL.test(context.query)) context.statements.count++;
    super.logQuery(context);
  }
}
