import { Aspects, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { PipelineAlarms } from './alarms.js';
import { PipelineDashboard } from './dashboard.js';
import { DataKey, EncryptLogGroups } from './encryption.js';
import { ClioFunctions, type StepName } from './functions.js';
import { RunLifecycle } from './lifecycle.js';
import { ClioPipeline } from './pipeline.js';
import { type RunScheduleSpec, RunSchedules } from './schedules.js';
import { type ApiKeyName, ClioSecrets } from './secrets.js';
import { type ExplorerAccess, type ExplorerDomain, ExplorerSite } from './site.js';
import { ClioStorage } from './storage.js';
import { ClioTable } from './table.js';
import { TrendAlerts, type TrendAlertsProps } from './trend-alerts.js';
import { ConfigUploadTrigger, deadLetterQueue } from './triggers.js';

export interface OpenClioStackProps extends StackProps {
  /**
   * Who may read the explorer (exactly one of `allowedCidrs`, `webAclArn`, `public: true`), or
   * `false` for no explorer. Required: summaries are sensitive, so there is no default.
   */
  readonly explorer: ExplorerAccess | false;
  /** @default the distribution's `*.cloudfront.net` name */
  readonly explorerDomain?: ExplorerDomain;
  /** @default '<repository>/viewer/dist' */
  readonly viewerDist?: string;
  /** @default DEFAULT_CONTENT_SECURITY_POLICY */
  readonly contentSecurityPolicy?: string;
  /**
   * Summarize batches in flight at once.
   * @default 10
   */
  readonly summarizeConcurrency?: number;
  /**
   * Summarize Lambdas running at once across every run of the stack (reserved concurrency), so
   * overlapping uploads and schedules cannot multiply LLM calls past the account's rate limits;
   * `false` reserves none.
   * @default twice `summarizeConcurrency`: two runs at full speed, a third waits
   */
  readonly summarizeReservedConcurrency?: number | false;
  /**
   * Percentage of Summarize batches that may fail without failing the run.
   * @default 5
   */
  readonly toleratedFailurePercentage?: number;
  /**
   * Items per Summarize batch.
   * @default 100
   */
  readonly batchSize?: number;
  /** @default [] (runs start only on upload) */
  readonly schedules?: readonly RunScheduleSpec[];
  /** @default no email; alarms only show in CloudWatch */
  readonly alarmEmail?: string;
  /**
   * An SNS topic told when a finished run's clusters emerge or grow against the config's run
   * before (see TrendAlerts).
   * @default no topic
   */
  readonly trendAlerts?: Omit<TrendAlertsProps, 'publisher' | 'explorerUrl'>;
  /**
   * Existing Secrets Manager secret names for API keys.
   * @default {} (the stack creates the secrets with a placeholder value)
   */
  readonly existingSecrets?: Partial<Record<ApiKeyName, string>>;
  /** @default DEFAULT_BEDROCK_MODELS */
  readonly bedrockModelIds?: readonly string[];
  /** @default the sizes in STEPS */
  readonly memoryMiB?: Partial<Record<StepName, number>>;
  /**
   * Keep buckets, table, secrets and logs when the stack is deleted.
   * @default true
   */
  readonly retainData?: boolean;
  /**
   * Days intermediate artifacts are kept.
   * @default 30
   */
  readonly intermediateRetentionDays?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * A customer-managed KMS key for the buckets (but the access logs), the table, the created
   * secrets and every log group: `{}` creates one (rotated yearly), `{ keyArn }` uses yours.
   * @default AWS-managed encryption
   */
  readonly encryption?: { readonly keyArn?: string };
  /**
   * ARN of the KMS key `existingSecrets` are encrypted with, when not AWS's own.
   * @default no KMS grant for the existing secrets
   */
  readonly existingSecretsKeyArn?: string;
  /**
   * Endpoints (origin, optionally with a path prefix) run configs may name in `base_url`.
   * @default [] (configs may not set a base_url)
   */
  readonly allowedBaseUrls?: readonly string[];
}

/**
 * OpenCLIO in one account: upload a config (or let a schedule fire) and a Step Functions run
 * summarizes, embeds and clusters the items with the same stages as the CLI, then publishes
 * the hierarchy to DynamoDB, S3 and the explorer.
 */
export class OpenClioStack extends Stack {
  readonly storage: ClioStorage;
  readonly table: ClioTable;
  readonly functions: ClioFunctions;
  readonly pipeline: ClioPipeline;
  readonly site?: ExplorerSite;
  readonly trendAlerts?: TrendAlerts;

  constructor(scope: Construct, id: string, props: OpenClioStackProps) {
    super(scope, id, props);
    const retainData = props.retainData ?? true;
    const shared = {
      retainData,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    };
    const dataKey = props.encryption
      ? new DataKey(this, 'DataKey', {
          retainData,
          ...(props.encryption.keyArn ? { keyArn: props.encryption.keyArn } : {}),
        })
      : undefined;
    if (dataKey) Aspects.of(this).add(new EncryptLogGroups(dataKey.key));
    const encryptionKey = dataKey ? { encryptionKey: dataKey.key } : {};

    this.storage = new ClioStorage(this, 'Storage', {
      retainData,
      ...encryptionKey,
      ...(props.intermediateRetentionDays !== undefined
        ? { intermediateRetention: Duration.days(props.intermediateRetentionDays) }
        : {}),
    });
    this.table = new ClioTable(this, 'Runs', { retainData, ...encryptionKey });
    const secrets = new ClioSecrets(this, 'Secrets', {
      retainData,
      existing: props.existingSecrets ?? {},
      ...encryptionKey,
      ...(props.existingSecretsKeyArn ? { existingKeyArn: props.existingSecretsKeyArn } : {}),
    });
    if (props.explorer !== false)
      this.site = new ExplorerSite(this, 'Explorer', {
        access: props.explorer,
        accessLogs: this.storage.accessLogs,
        retainData,
        ...(dataKey ? { encryption: dataKey } : {}),
        ...(props.explorerDomain ? { domain: props.explorerDomain } : {}),
        ...(props.viewerDist ? { viewerDist: props.viewerDist } : {}),
        ...(props.contentSecurityPolicy
          ? { contentSecurityPolicy: props.contentSecurityPolicy }
          : {}),
      });

    this.functions = new ClioFunctions(this, 'Steps', {
      ...shared,
      configs: this.storage.configs,
      artifacts: this.storage.artifacts,
      table: this.table.table,
      secrets,
      ...(this.site ? { site: this.site.bucket } : {}),
      ...(props.bedrockModelIds ? { bedrockModelIds: props.bedrockModelIds } : {}),
      ...(props.batchSize !== undefined ? { batchSize: props.batchSize } : {}),
      ...(props.memoryMiB ? { memoryMiB: props.memoryMiB } : {}),
      summarizeReservedConcurrency:
        props.summarizeReservedConcurrency ?? 2 * (props.summarizeConcurrency ?? 10),
      ...(props.allowedBaseUrls ? { allowedBaseUrls: props.allowedBaseUrls } : {}),
    });
    const { closeRun, ...stateMachineSteps } = this.functions.steps;
    this.pipeline = new ClioPipeline(this, 'Pipeline', {
      ...shared,
      functions: stateMachineSteps,
      artifacts: this.storage.artifacts,
      ...(props.summarizeConcurrency !== undefined
        ? { summarizeConcurrency: props.summarizeConcurrency }
        : {}),
      ...(props.toleratedFailurePercentage !== undefined
        ? { toleratedFailurePercentage: props.toleratedFailurePercentage }
        : {}),
    });
    const { stateMachine } = this.pipeline;
    if (dataKey) this.#grantKeyUses(dataKey);
    const trigger = new ConfigUploadTrigger(this, 'UploadTrigger', {
      bucket: this.storage.configs,
      stateMachine,
    });
    const lifecycle = new RunLifecycle(this, 'Lifecycle', {
      stateMachine,
      closeRun,
      deadLetterQueue: deadLetterQueue(this, 'LifecycleDeadLetters'),
    });
    const deadLetters = [trigger.deadLetterQueue];
    if (props.schedules && props.schedules.length > 0) {
      const queue = deadLetterQueue(this, 'ScheduleDeadLetters');
      new RunSchedules(this, 'Schedules', {
        stateMachine,
        schedules: props.schedules,
        deadLetterQueue: queue,
      });
      deadLetters.push(queue);
    }
    if (props.trendAlerts)
      this.trendAlerts = new TrendAlerts(this, 'TrendAlerts', {
        ...props.trendAlerts,
        publisher: this.functions.steps.finalize,
        ...(this.site ? { explorerUrl: this.site.url } : {}),
      });
    const alarms = new PipelineAlarms(this, 'Alarms', {
      stateMachine,
      deadLetterQueues: deadLetters,
      lifecycleDeadLetterQueue: lifecycle.deadLetterQueue,
      ...(props.alarmEmail ? { email: props.alarmEmail } : {}),
    });
    const { dashboard } = new PipelineDashboard(this, 'Dashboard', {
      stateMachine,
      functions: this.functions.steps,
      alarms: alarms.alarms,
    });

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output(
      'ConfigsBucketName',
      this.storage.configs.bucketName,
      'Upload configs/<name>.json here to start a run',
    );
    output(
      'ArtifactsBucketName',
      this.storage.artifacts.bucketName,
      'Run outputs under runs/<runId>/',
    );
    output('RunsTableName', this.table.table.tableName, 'Run records and hierarchies');
    output('StateMachineArn', stateMachine.stateMachineArn, 'The run state machine');
    output(
      'DashboardName',
      dashboard.dashboardName,
      'CloudWatch dashboard of the runs, batches, items, tokens, cost and step functions',
    );
    output(
      'AnthropicSecretArn',
      secrets.apiKeys.ANTHROPIC_API_KEY.secretArn,
      'Put the Anthropic API key here',
    );
    output(
      'LangSmithSecretArn',
      secrets.apiKeys.LANGSMITH_API_KEY.secretArn,
      'Put the LangSmith API key here',
    );
  }

  /** Key uses CDK's grants cannot see: the state machine's own S3 calls, and Finalize's
   * writes to the explorer bucket, which names the key by alias. */
  #grantKeyUses(dataKey: DataKey): void {
    // The Summarize map reads the batch list and writes its children's results.
    dataKey.key.grant(this.pipeline.stateMachine, 'kms:Decrypt', 'kms:GenerateDataKey');
    if (this.site) dataKey.grantServedBucketWrite(this.functions.steps.finalize);
  }
}
