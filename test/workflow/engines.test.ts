import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config';

const exec = promisify(execFile);

describe('npm ci on a fresh clone', () => {
  it('prints no engine warnings on this Node: every locked package supports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'itimeline-engines-'));
    try {
      for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(projectRoot, file), join(dir, file));
      // A dry run resolves the locked tree and checks each package's engines, installing nothing.
      const { stdout, stderr } = await exec('npm', ['ci', '--dry-run', '--no-audit', '--no-fund'], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '' } });
      expect(`${stdout}${stderr}`).not.toContain('EBADENGINE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
