import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV, SITE_DATA, TELEMETRY } from '../../lambdas/contract.js';
import { PROJECT_ROOT, stepBundling } from './bundle/bundling.js';
import { DEFAULT_BEDROCK_MODELS, grantBedrock, grantObjects, grantTable } from './grants.js';
import { acknowledge } from './nag.js';
import type { ApiKeyName, ClioSecrets } from './secrets.js';

export type StepName =
  | 'claimTrigger'
  | 'prepare'
  | 'summarizeBatch'
  | 'clusterLevel'
  | 'finalize'
  | 'markFailed'
  | 'closeRun';

/** What each step needs, and nothing more: the grants and environment follow from this table. */
interface StepSpec {
  readonly id: string;
  readonly entry: string;
  readonly description: string;
  readonly memoryMiB: number;
  readonly timeout: Duration;
  /** Ships the k-means and embedding worker threads and the embedding model. */
  readonly workers: boolean;
  readonly readsConfigs: boolean;
  readonly publishesSite: boolean;
  readonly tableActions: readonly string[];
  readonly secrets: readonly ApiKeyName[];
  readonly invokesBedrock: boolean;
}

const LLM_KEYS: readonly ApiKeyName[] = ['ANTHROPIC_API_KEY'];
/** The steps that call the model hold and settle the run's shared budget item. */
const BUDGET_ACTIONS = ['dynamodb:UpdateItem', 'dynamodb:GetItem'];

export const STEPS: Readonly<Record<StepName, StepSpec>> = {
  claimTrigger: {
    id: 'ClaimTrigger',
    entry: 'claim-trigger',
    description: 'OpenCLIO ClaimTrigger: let one upload or scheduled tick start one run',
    memoryMiB: 256,
    timeout: Duration.seconds(30),
    workers: false,
    readsConfigs: false,
    publishesSite: false,
    tableActions: ['dynamodb:PutItem'],
    secrets: [],
    invokesBedrock: false,
  },
  prepare: {
    id: 'Prepare',
    entry: 'prepare',
    description: 'OpenCLIO Prepare: validate the config, load and sample items, write batches',
    // `npm run bench -- langsmith-scale`, 100k threads (200k runs of ~3 KB): a tracing window
    // is streamed through the run store and fits a 512 MiB heap (657 MiB RSS; 1,017 MiB when
    // V8 may grow to 3008); files and datasets are still held whole: ~0.7 GiB at 100k items of
    // 1.3 KiB (aws-scale), ~1.2 GiB with items of ~9 KiB. 2048 covers both with room and keeps
    // a little over one vCPU for the JSON work.
    memoryMiB: 2048,
    timeout: Duration.minutes(15),
    workers: true,
    readsConfigs: true,
    publishesSite: false,
    // The run's record from its start, and which execution created it.
    tableActions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
    // The run record names the LLM `auto` resolves to, so Prepare sees the same keys as the
    // steps that call it.
    secrets: ['LANGSMITH_API_KEY', ...LLM_KEYS],
    invokesBedrock: false,
  },
  summarizeBatch: {
    id: 'SummarizeBatch',
    entry: 'summarize-batch',
    description: 'OpenCLIO Summarize: summarize and embed one batch of items',
    memoryMiB: 2048,
    timeout: Duration.minutes(15),
    workers: true,
    readsConfigs: false,
    publishesSite: false,
    tableActions: BUDGET_ACTIONS,
    secrets: LLM_KEYS,
    invokesBedrock: true,
  },
  clusterLevel: {
    id: 'ClusterLevel',
    entry: 'cluster-level',
    // k-means of 100k x 1024 takes ~22 s and ~1.1 GiB on 2 cores; 4 GiB buys 2+ vCPUs and room.
    description: 'OpenCLIO ClusterLevel: cluster and name one level of the hierarchy',
    memoryMiB: 4096,
    timeout: Duration.minutes(15),
    workers: true,
    readsConfigs: false,
    publishesSite: false,
    tableActions: BUDGET_ACTIONS,
    secrets: LLM_KEYS,
    invokesBedrock: true,
  },
  finalize: {
    id: 'Finalize',
    entry: 'finalize',
    description: 'OpenCLIO Finalize: outputs, hierarchy to DynamoDB, explorer data, run done',
    // Finalize holds every item's full text: bench/aws-scale.ts measured it at 100k items at
    // 77% of 3008 MiB with 1.5 KiB items and 97% with 3.2 KiB ones, no room left for longer
    // conversations. 4096 puts the latter at about 71%.
    memoryMiB: 4096,
    timeout: Duration.minutes(15),
    workers: false,
    readsConfigs: false,
    publishesSite: true,
    tableActions: ['dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:Query'],
    secrets: [],
    invokesBedrock: false,
  },
  markFailed: {
    id: 'MarkFailed',
    entry: 'mark-failed',
    description: 'OpenCLIO MarkFailed: record why a run stopped',
    memoryMiB: 512,
    timeout: Duration.minutes(2),
    workers: false,
    readsConfigs: false,
    publishesSite: false,
    tableActions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    secrets: [],
    invokesBedrock: false,
  },
  closeRun: {
    id: 'CloseRun',
    entry: 'close-run',
    description:
      'OpenCLIO CloseRun: close the run of an execution that failed, timed out or was aborted; reopen it on redrive',
    memoryMiB: 512,
    timeout: Duration.minutes(2),
    workers: false,
    readsConfigs: false,
    publishesSite: false,
    tableActions: [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ],
    secrets: [],
    invokesBedrock: false,
  },
};

export interface ClioFunctionsProps {
  readonly configs: IBucket;
  readonly artifacts: IBucket;
  readonly table: ITable;
  readonly secrets: ClioSecrets;
  /**
   * The explorer's bucket; Finalize publishes finished runs under `data/`.
   * @default no publishing (explorer disabled)
   */
  readonly site?: IBucket;
  /**
   * Bedrock model ids (or patterns) the LLM and embedding steps may invoke; `[]` grants none.
   * @default DEFAULT_BEDROCK_MODELS (Claude, Titan and Cohere embeddings)
   */
  readonly bedrockModelIds?: readonly string[];
  /**
   * Items per Summarize batch (one Map child each).
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * Memory per step in MiB, overriding the sizes in `STEPS`.
   * @default the sizes in `STEPS`
   */
  readonly memoryMiB?: Partial<Record<StepName, number>>;
  /**
   * Reserved concurrency of the Summarize function: its Lambdas running at once across all
   * runs; `false` reserves none. Throttled children wait and retry (see the pipeline).
   * @default false
   */
  readonly summarizeReservedConcurrency?: number | false;
  /**
   * Retention of the functions' logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Keep log groups when the stack is deleted.
   * @default true
   */
  readonly retainData?: boolean;
  /**
   * Endpoints a run config's `base_url` keys may name (each step checks when it creates the
   * LLM or embedder).
   * @default [] (no `base_url` allowed)
   */
  readonly allowedBaseUrls?: readonly string[];
}

/** One Lambda function per state of the state machine, each with its own role and log group. */
export class ClioFunctions extends Construct {
  readonly steps: Readonly<Record<StepName, NodejsFunction>>;

  constructor(scope: Construct, id: string, props: ClioFunctionsProps) {
    super(scope, id);
    const batchSize = props.batchSize ?? 100;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000)
      throw new Error(
        `ClioFunctions: batchSize must be an integer from 1 to 5000, got ${batchSize}`,
      );
    for (const [step, mib] of Object.entries(props.memoryMiB ?? {})) {
      if (!(step in STEPS))
        throw new Error(
          `ClioFunctions: memoryMiB.${step} is not a step; expected one of ${Object.keys(STEPS).join(', ')}`,
        );
      if (!Number.isInteger(mib) || mib < 128 || mib > 10240)
        throw new Error(
          `ClioFunctions: memoryMiB.${step} must be an integer from 128 to 10240, got ${mib}`,
        );
    }
    const reserved = props.summarizeReservedConcurrency ?? false;
    if (reserved !== false && (!Number.isInteger(reserved) || reserved < 1 || reserved > 10_000))
      throw new Error(
        `ClioFunctions: summarizeReservedConcurrency must be false or an integer from 1 to 10000, got ${reserved}`,
      );
    const make = (name: StepName) =>
      this.#step(STEPS[name], props, batchSize, props.memoryMiB?.[name], {
        reserved: name === 'summarizeBatch' && reserved !== false ? reserved : undefined,
      });
    this.steps = {
      claimTrigger: make('claimTrigger'),
      prepare: make('prepare'),
      summarizeBatch: make('summarizeBatch'),
      clusterLevel: make('clusterLevel'),
      finalize: make('finalize'),
      markFailed: make('markFailed'),
      closeRun: make('closeRun'),
    };
  }

  #step(
    spec: StepSpec,
    props: ClioFunctionsProps,
    batchSize: number,
    memoryMiB: number | undefined,
    limits: { readonly reserved: number | undefined },
  ): NodejsFunction {
    const owner = new Construct(this, spec.id);
    const retain = props.retainData ?? true;
    const role = new Role(owner, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${spec.description} (own role: only this step's grants)`,
    });
    // An explicit log group written by the role instead of AWSLambdaBasicExecutionRole, whose
    // logs permissions cover every log group of the account.
    const logGroup = new LogGroup(owner, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    logGroup.grantWrite(role);

    const secretIds: Record<string, string> = {};
    for (const key of spec.secrets) {
      const secret = props.secrets.apiKeys[key];
      props.secrets.grantRead(key, role);
      secretIds[key] = secret.secretFullArn ?? secret.secretName;
    }
    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: TELEMETRY.service,
      [ENV.deployment]: Stack.of(this).stackName,
      NODE_OPTIONS: '--enable-source-maps',
      [ENV.artifactsBucket]: props.artifacts.bucketName,
      ...(spec.readsConfigs
        ? { [ENV.configsBucket]: props.configs.bucketName, [ENV.batchSize]: String(batchSize) }
        : {}),
      ...(spec.tableActions.length > 0 ? { [ENV.tableName]: props.table.tableName } : {}),
      ...(spec.publishesSite && props.site ? { [ENV.siteBucket]: props.site.bucketName } : {}),
      ...(spec.secrets.length > 0
        ? { [ENV.secretArns]: Stack.of(this).toJsonString(secretIds) }
        : {}),
      ...(props.allowedBaseUrls?.length
        ? { [ENV.allowedBaseUrls]: JSON.stringify(props.allowedBaseUrls) }
        : {}),
    };

    const fn = new NodejsFunction(owner, 'Function', {
      entry: join(PROJECT_ROOT, 'lambdas', `${spec.entry}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: spec.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: memoryMiB ?? spec.memoryMiB,
      ...(limits.reserved !== undefined ? { reservedConcurrentExecutions: limits.reserved } : {}),
      timeout: spec.timeout,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      environment,
      bundling: stepBundling(spec.workers),
      // X-Ray: CDK grants the role xray:PutTraceSegments and xray:PutTelemetryRecords.
      tracing: Tracing.ACTIVE,
    });
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    );

    grantObjects(owner, role, props.artifacts, {
      prefix: 'runs/',
      read: true,
      write: true,
      why: 'every step reads and writes the artifacts of the run it is given.',
    });
    if (spec.readsConfigs)
      grantObjects(owner, role, props.configs, {
        prefix: '',
        read: true,
        why: 'Prepare reads the uploaded config and the data files it names, anywhere in the configs bucket.',
      });
    if (spec.publishesSite && props.site)
      grantObjects(owner, role, props.site, {
        prefix: SITE_DATA.prefix,
        write: true,
        why: 'Finalize publishes each finished run and the runs index for the explorer.',
      });
    grantTable(role, props.table, spec.tableActions);
    if (spec.invokesBedrock)
      grantBedrock(owner, role, props.bedrockModelIds ?? DEFAULT_BEDROCK_MODELS);
    return fn;
  }
}
