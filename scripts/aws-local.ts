import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ENV } from '../lambdas/contract.js';
import { loadConfig } from '../lib/config/index.js';
import { startDynamo, startS3 } from '../test/infra/emulators.js';
import { loadStepHandlers, localAppMachine } from '../test/infra/local-app.js';
import { REGION } from '../test/infra/local-sfn.js';
import { synthApp } from '../test/infra/synth.js';

/**
 * `npm run aws:local -- --config FILE`: dry-runs a config through the AWS app before deploying
 * it. The app's state machine is synthesized and executed (aws-local-stepfunctions) with the real
 * Lambda handlers, over S3 and DynamoDB emulators started and stopped here; API keys come from
 * the environment (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, LANGSMITH_API_KEY, LANGSMITH_ENDPOINT)
 * in place of Secrets Manager. The finished run's files land in the config's `save_path`, as
 * `generate` writes them; the exit code is 1 when the execution fails.
 */
const BUCKETS = { configs: 'configs', artifacts: 'artifacts', site: 'site' } as const;
const TABLE = 'runs';
const OUTPUTS = /^(hierarchy\.json|combined\.csv|level_\d+_clusters\.csv|run\.json)$/;

function configArgument(argv: readonly string[]): string {
  const at = argv.indexOf('--config');
  const path = at >= 0 ? argv[at + 1] : undefined;
  if (!path) throw new Error('usage: npm run aws:local -- --config path/to/config.json');
  return path;
}

async function main(): Promise<number> {
  // `npm run` starts scripts in the package folder; INIT_CWD is where the user ran it from.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const configPath = resolve(cwd, configArgument(process.argv.slice(2)));
  // Checked here first: a bad config fails with the same message as `generate`.
  const loaded = await loadConfig(configPath, { cwd });
  const saveTo = resolve(cwd, loaded.config.save_path);

  const [s3, dynamo] = await Promise.all([startS3(), startDynamo()]);
  let closeClients = () => {};
  try {
    await Promise.all([
      ...Object.values(BUCKETS).map((b) => s3.createBucket(b)),
      dynamo.createRunsTable(TABLE),
    ]);
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      // The handlers' EMF metrics go nowhere locally and would bury the run's own output.
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      [ENV.artifactsBucket]: BUCKETS.artifacts,
      [ENV.configsBucket]: BUCKETS.configs,
      [ENV.siteBucket]: BUCKETS.site,
      [ENV.tableName]: TABLE,
    });
    // Imported once the environment is set: each handler builds its deps from it.
    const handlers = await loadStepHandlers();

    // The config and its source file, uploaded as a user would (the file beside the config).
    const configKey = `configs/${basename(configPath)}`;
    const put = (Key: string, Body: string) =>
      s3.client.send(new PutObjectCommand({ Bucket: BUCKETS.configs, Key, Body }));
    await put(configKey, await readFile(configPath, 'utf8'));
    if (loaded.config.source) {
      const key = join('configs', relative(dirname(configPath), loaded.config.source.file));
      await put(key.split('\\').join('/'), await readFile(loaded.config.source.file, 'utf8'));
    }

    const app = localAppMachine(synthApp({ explorer: { public: true } }), handlers, {
      buckets: BUCKETS,
      table: TABLE,
      s3: s3.client,
      dynamoEndpoint: dynamo.endpoint,
    });
    closeClients = app.close;
    process.stderr.write(`aws:local: running ${configKey} through the synthesized state machine\n`);
    const execution = await app.start({ configKey, trigger: 'upload#aws-local' });
    const runId = execution.calls.find((c) => c.event.runId)?.event.runId as string | undefined;

    const files: string[] = [];
    if (runId) {
      await mkdir(saveTo, { recursive: true });
      const listed = await s3.client.send(
        new ListObjectsV2Command({ Bucket: BUCKETS.artifacts, Prefix: `runs/${runId}/` }),
      );
      for (const { Key } of listed.Contents ?? []) {
        const name = Key?.slice(`runs/${runId}/`.length) ?? '';
        if (!Key || !OUTPUTS.test(name)) continue;
        const object = await s3.client.send(
          new GetObjectCommand({ Bucket: BUCKETS.artifacts, Key }),
        );
        await writeFile(join(saveTo, name), (await object.Body?.transformToString('utf-8')) ?? '');
        files.push(name);
      }
    }
    if (execution.status !== 'SUCCEEDED') {
      process.stderr.write(
        `aws:local: the execution failed: ${execution.error ?? ''} ${execution.cause ?? ''}\n`,
      );
      if (files.length) process.stderr.write(`  run.json is in ${saveTo}\n`);
      return 1;
    }
    process.stdout.write(
      `aws:local: run ${runId} done (states: ${execution.path.join(' → ')})\nResults in ${saveTo}: ${files.sort().join(', ')}\n`,
    );
    return 0;
  } finally {
    closeClients();
    await Promise.all([s3.close(), dynamo.close()]);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`aws:local: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
