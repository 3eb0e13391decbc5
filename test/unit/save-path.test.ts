import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSavePath } from '../../lib/store/save-path.js';

/**
 * Makes `dir` unwritable even for root where it can (tests often run as root, which ignores
 * permission bits): chmod for a user, the immutable attribute for root. Returns how to undo it,
 * or undefined when this machine offers neither.
 */
async function makeUnwritable(dir: string): Promise<(() => Promise<void>) | undefined> {
  if (process.getuid?.() !== 0) {
    await chmod(dir, 0o555);
    return () => chmod(dir, 0o755);
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    return async () => {
      execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
    };
  } catch {
    return undefined;
  }
}

describe('checkSavePath: where the results go, checked before any work', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clio-save-'));
  });

  it('takes an existing folder or creates a missing one, and leaves no probe behind', async () => {
    expect(await checkSavePath('out', dir)).toBe(join(dir, 'out'));
    expect(await checkSavePath('deeper/still/out', dir)).toBe(join(dir, 'deeper/still/out'));
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  });

  it('refuses a file, naming save_path and the reason', async () => {
    await writeFile(join(dir, 'results.json'), '{}');
    await expect(checkSavePath('results.json', dir)).rejects.toThrow(
      'save_path "results.json" is a file, not a folder; give a folder (it is created if missing)',
    );
    await expect(checkSavePath('results.json/inside', dir)).rejects.toThrow(
      /^save_path "results.json\/inside" is inside a file, not a folder$/,
    );
  });

  it('refuses /proc, /sys and /dev by name, without touching them (writes there can hang)', async () => {
    for (const path of ['/proc/x', '/sys/kernel/x', '/dev/clio', '/proc']) {
      await expect(checkSavePath(path, dir)).rejects.toThrow(
        /^save_path "[^"]+" is inside \/(proc|sys|dev), a special system folder/,
      );
    }
    // A link into /proc is /proc.
    await symlink('/proc/self', join(dir, 'sneaky'));
    await expect(checkSavePath('sneaky/out', dir)).rejects.toThrow(/is inside \/proc/);
  });

  describe('an unwritable folder', () => {
    const locked = () => join(dir, 'locked');
    let unlock: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      await mkdir(locked());
      unlock = await makeUnwritable(locked());
    });
    afterAll(() => unlock?.());

    it('is refused, naming save_path and the reason', async ({ skip }) => {
      if (!unlock) skip('this machine cannot make a folder unwritable for this user');
      await expect(checkSavePath('locked', dir)).rejects.toThrow(
        'save_path "locked" is not writable (permission denied)',
      );
      await expect(checkSavePath('locked/sub', dir)).rejects.toThrow(
        'save_path "locked/sub" is not writable (permission denied)',
      );
    });
  });
});
