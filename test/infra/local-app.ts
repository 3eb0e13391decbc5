import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { STEPS, type StepName } from '../../lib/infra/functions.js';
import {
  executionStatusChanged,
  functionArn,
  type Intercept,
  type LambdaHandler,
  LOCAL_STATE_MACHINE_ARN,
  type LocalExecution,
  type LocalNames,
  LocalStateMachine,
  lambdaTargetsOf,
  REGION,
  stateMachineDefinition,
  type TemplateJson,
} from './local-sfn.js';
import type { Synthesized } from './synth.js';

/** The local stand-ins of the stack's storage: bucket and table names, and their clients. */
export interface LocalStorage {
  readonly buckets: { readonly artifacts: string; readonly configs: string };
  readonly table: string;
  readonly s3: S3Client;
  readonly dynamoEndpoint: string;
}

/** The real handler of every step function, imported (so after the environment is set). */
export async function loadStepHandlers(): Promise<Record<StepName, LambdaHandler>> {
  const entries = await Promise.all(
    (Object.keys(STEPS) as StepName[]).map(async (step) => {
      const module = (await import(`../../lambdas/${STEPS[step].entry}.ts`)) as {
        handler: LambdaHandler;
      };
      return [step, module.handler] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<StepName, LambdaHandler>;
}

export interface LocalApp {
  readonly machine: LocalStateMachine;
  readonly template: TemplateJson;
  readonly names: LocalNames;
  /**
   * Runs an execution, then delivers its status change to the stack's rules as EventBridge
   * would (the lifecycle rule closes a run whose execution failed outside MarkFailed).
   */
  start(input: unknown, intercept?: Intercept): Promise<LocalExecution>;
  close(): void;
}

/**
 * The synthesized app's state machine, runnable here: each step function's ARN answered by the
 * real handler, the stack's bucket and table replaced by the local ones. Used by the
 * orchestration test and by `npm run aws:local`.
 */
export function localAppMachine(
  synthesized: Synthesized,
  handlers: Readonly<Record<StepName, LambdaHandler>>,
  storage: LocalStorage,
): LocalApp {
  const template = synthesized.main.toJSON() as TemplateJson;
  const stack = synthesized.stacks.main;
  const idOf = (c: IConstruct) =>
    stack.resolve((c.node.defaultChild as CfnElement).logicalId) as string;
  const names = {
    [idOf(stack.table.table)]: storage.table,
    [idOf(stack.storage.artifacts)]: storage.buckets.artifacts,
    [idOf(stack.storage.configs)]: storage.buckets.configs,
    [idOf(stack.pipeline.stateMachine)]: LOCAL_STATE_MACHINE_ARN,
  };
  const lambdas = Object.fromEntries(
    Object.entries(stack.functions.steps).map(([step, fn]) => [
      functionArn(idOf(fn)),
      handlers[step as StepName],
    ]),
  );
  const dynamo = new DynamoDBClient({
    endpoint: storage.dynamoEndpoint,
    region: REGION,
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
  });
  const machine = new LocalStateMachine(stateMachineDefinition(template, names), {
    s3: storage.s3,
    dynamo,
    lambdas,
  });
  return {
    machine,
    template,
    names,
    start: async (input, intercept) => {
      const execution = await machine.start(input, intercept);
      const event = executionStatusChanged(execution, LOCAL_STATE_MACHINE_ARN);
      for (const arn of lambdaTargetsOf(template, names, event)) {
        const handler = lambdas[arn];
        if (!handler) throw new Error(`a rule targets ${arn}, which is no step function`);
        await handler(event);
      }
      return execution;
    },
    close: () => dynamo.destroy(),
  };
}
