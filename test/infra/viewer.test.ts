import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeployConfig } from '../../lib/infra/config.js';
import {
  ensureViewerBuilt,
  ViewerBuildError,
  viewerBuildState,
  withBuiltViewer,
} from '../../lib/infra/viewer.js';

/** A repository with viewer sources written at `sourceTime` (seconds) and no build yet. */
function repo(sourceTime = 1_000): string {
  const root = mkdtempSync(join(tmpdir(), 'clio-repo-'));
  mkdirSync(join(root, 'viewer', 'src'), { recursive: true });
  mkdirSync(join(root, 'lib', 'viz'), { recursive: true });
  for (const file of ['viewer/index.html', 'viewer/src/main.tsx', 'lib/viz/format.ts']) {
    writeFileSync(join(root, file), '// source');
    utimesSync(join(root, file), sourceTime, sourceTime);
  }
  for (const dir of ['viewer/src', 'viewer', 'lib/viz'])
    utimesSync(join(root, dir), sourceTime, sourceTime);
  return root;
}

/** What `npm run build:viewer` leaves: dist/index.html, written at `time` (seconds). */
const fakeBuild = (time: number) => (root: string) => {
  mkdirSync(join(root, 'viewer', 'dist'), { recursive: true });
  writeFileSync(join(root, 'viewer', 'dist', 'index.html'), '<!doctype html>');
  utimesSync(join(root, 'viewer', 'dist', 'index.html'), time, time);
};

const quiet = { log: () => {} };

describe('the explorer build at synth', () => {
  it('is missing, stale when a source changed after it, or fresh', () => {
    const root = repo();
    expect(viewerBuildState(root)).toBe('missing');
    fakeBuild(2_000)(root);
    expect(viewerBuildState(root)).toBe('fresh');
    utimesSync(join(root, 'lib', 'viz', 'format.ts'), 3_000, 3_000);
    expect(viewerBuildState(root)).toBe('stale');
  });

  it('runs the build when missing or stale, and not when fresh', () => {
    const root = repo();
    const builds: string[] = [];
    const build = (at: string) => {
      builds.push(at);
      fakeBuild(2_000)(at);
    };
    expect(ensureViewerBuilt({ root, build, ...quiet })).toBe(join(root, 'viewer', 'dist'));
    expect(ensureViewerBuilt({ root, build, ...quiet })).toBe(join(root, 'viewer', 'dist'));
    expect(builds).toEqual([root]);
    utimesSync(join(root, 'viewer', 'src', 'main.tsx'), 3_000, 3_000);
    ensureViewerBuilt({ root, build: (at) => fakeBuild(4_000)(at), ...quiet });
    expect(viewerBuildState(root)).toBe('fresh');
  });

  it('fails clearly when the viewer cannot be built', () => {
    const root = repo();
    const broken = () => {
      throw new Error('Command failed: npm run --silent build:viewer\nvite: not found');
    };
    expect(() => ensureViewerBuilt({ root, build: broken, ...quiet })).toThrow(ViewerBuildError);
    expect(() => ensureViewerBuilt({ root, build: broken, ...quiet })).toThrow(
      /the explorer's viewer could not be built \(npm run build:viewer in .*: Command failed: npm run --silent build:viewer\)\. Install the dev dependencies \(npm ci\).*"explorer\.viewerDist".*"explorer": false/,
    );
    expect(() => ensureViewerBuilt({ root, build: () => {}, ...quiet })).toThrow(
      /npm run build:viewer finished but .*dist has no index.html/,
    );
  });

  it('is used unless the deploy config names its own build or has no explorer', () => {
    const ensure = () => '/built';
    const config = (explorer: unknown) => parseDeployConfig({ explorer }, 'x');
    expect(withBuiltViewer(config({ public: true }), ensure).explorer).toEqual({
      public: true,
      viewerDist: '/built',
    });
    const own = config({ public: true, viewerDist: '/mine' });
    expect(withBuiltViewer(own, ensure)).toBe(own);
    const none = config(false);
    expect(withBuiltViewer(none, ensure)).toBe(none);
  });
});
