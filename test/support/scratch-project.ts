import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/config';

const exec = promisify(execFile);

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
    async run(command, args, url) {
      const env = { ...process.env, DATABASE_URL: url, FORCE_COLOR: '0', NO_COLOR: '1' };
      try {
        const { stdout, stderr } = await exec(command, args, { cwd: root, env, maxBuffer: 16 * 1024 * 1024 });
        return { code: 0, output: `${stdout}${stderr}` };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof failed.code === 'number' ? failed.code : 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
      }
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
