import { serveServer } from './child';
import { startFloor, type Floor } from './floor';

/** The floor server (`floor.ts`) in a process of its own: argv is the database URL, the pool size and the JWT secret. */
const [databaseUrl, poolSize, jwtSecret] = process.argv.slice(2);
let floor: Floor | undefined;

serveServer(async () => (floor = await startFloor({ databaseUrl, poolSize: Number(poolSize), jwtSecret })).url);

process.on('SIGTERM', () => {
  void (floor?.close() ?? Promise.resolve()).then(() => process.exit(0));
});
