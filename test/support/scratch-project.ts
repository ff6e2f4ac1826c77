import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/config';
import { runCli } from '../migrations/support';

/** What a command needs to run as in the project: its sources, configuration and installed packages (linked). */
const COPIED = ['package.json', 'tsconfig.json', 'mikro-orm.config.ts', '.squawk.toml', 'src', 'migrations', 'scripts'];

export interface ScratchProject {
  root: string;
  /** Runs a command in the copy (`npx mikro-orm ...`, `npm run ...`) with `DATABASE_URL` set to `url`. */
  run(command: string, args: string[], url: string): Promise<{ code: number; output: string }>;
  remove(): void;
}

/** A copy of the project to change (an entity, a migration) without touching the real tree. */
export function scratchProject(): ScratchProject {
  const root = mkdtempSync(join(tmpdir(), 'itimeline-scratch-'));
  for (const entry of COPIED) cpSync(join(projectRoot, entry), join(root, entry), { recursive: true });
  symlinkSync(join(projectRoot, 'node_modules'), join(root, 'node_modules'));
  return {
    root,
    run: (command, args, url) => runCli(command, args, url, root),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
