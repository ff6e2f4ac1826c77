import { ormConfig } from './src/db/orm-config';

/** Configuration for `npx mikro-orm ...` (the deploy step): the database is `DATABASE_URL`. */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('Set DATABASE_URL to the database to migrate, e.g. postgres://user:pass@host:5432/itimeline');

export default ormConfig(url);
