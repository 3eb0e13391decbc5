// Runs after NodejsFunction's esbuild step, on the machine that synthesizes (never in Docker):
//   node after-bundling.mjs <projectRoot> <outputDir> <target> --worker <entry>=<file>... --package <name>...
// It builds the worker threads the pipeline starts by file URL next to the handler, and copies
// the packages those workers load at run time (model weights found through __dirname) with
// their dependencies, from the local node_modules: offline, no npm install. Plain JS so that
// it runs with node alone.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const [projectRoot, outputDir, target, ...rest] = process.argv.slice(2);
if (!projectRoot || !outputDir || !target) {
  throw new Error(
    'usage: after-bundling.mjs <projectRoot> <outputDir> <target> [--worker e=f] [--package p]',
  );
}
const workers = [];
const packages = [];
for (let i = 0; i < rest.length; i += 2) {
  const [flag, value] = [rest[i], rest[i + 1]];
  if (flag === '--worker' && value?.includes('=')) workers.push(value.split('='));
  else if (flag === '--package' && value) packages.push(value);
  else throw new Error(`after-bundling: unexpected argument ${flag} ${value ?? ''}`);
}

/** The folder of `name` as Node would resolve it from `fromDir`. */
function packageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`after-bundling: package ${name} is not installed`);
  }
}

/** The packages and everything they need at run time, flattened into one node_modules. */
function copyClosure(names) {
  const copied = new Map();
  const queue = names.map((name) => [name, projectRoot]);
  while (queue.length > 0) {
    const [name, from] = queue.shift();
    const dir = packageDir(name, from);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const seen = copied.get(name);
    if (seen) {
      if (seen !== manifest.version) {
        throw new Error(`after-bundling: ${name} is needed at ${seen} and ${manifest.version}`);
      }
      continue;
    }
    copied.set(name, manifest.version);
    cpSync(dir, join(outputDir, 'node_modules', name), { recursive: true, dereference: true });
    const optional = manifest.peerDependenciesMeta ?? {};
    const deps = [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}).filter((p) => !optional[p]?.optional),
    ];
    for (const dep of deps) queue.push([dep, dir]);
  }
}

for (const [entry, file] of workers) {
  await build({
    entryPoints: [join(projectRoot, entry)],
    outfile: join(outputDir, file),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target,
    minify: true,
    external: packages,
    logLevel: 'error',
  });
}
// Workers are ESM; a `.js` one needs this to be read as ESM (index.mjs is ESM by extension).
writeFileSync(join(outputDir, 'package.json'), '{ "type": "module" }\n');
if (packages.length > 0) {
  mkdirSync(join(outputDir, 'node_modules'), { recursive: true });
  copyClosure(packages);
}
