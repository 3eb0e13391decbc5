import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/** A copy of the demo config and data in a temp dir, optionally with changed keys. */
export async function demoCopy(changes: Record<string, unknown> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'clio-cli-'));
  await cp(join(root, 'configs'), join(dir, 'configs'), { recursive: true });
  await setDemoConfig(dir, changes);
  return dir;
}

/** Changes keys of the copy's `configs/demo.json`. */
export async function setDemoConfig(dir: string, changes: Record<string, unknown>): Promise<void> {
  const path = join(dir, 'configs', 'demo.json');
  const config = JSON.parse(await readFile(path, 'utf8'));
  await writeFile(path, JSON.stringify({ ...config, ...changes }));
}
