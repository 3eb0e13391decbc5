import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StepName } from '../../lib/infra/functions.js';
import {
  functionArn,
  type LambdaHandler,
  type LocalNames,
  LocalStateMachine,
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

/**
 * The synthesized app's state machine, runnable here: each step function's ARN answered by the
 * real handler, the stack's bucket and table replaced by the local ones. Used by the
 * orchestration test and by `npm run aws:local`.
 */
export function localAppMachine(
  synthesized: Synthesized,
  handlers: Readonly<Record<StepName, LambdaHandler>>,
  storage: LocalStorage,
): { machine: LocalStateMachine; template: TemplateJson; names: LocalNames; close(): void } {
  const template = synthesized.main.toJSON() as TemplateJson;
  const stack = synthesized.stacks.main;
  const idOf = (c: IConstruct) =>
    stack.resolve((c.node.defaultChild as CfnElement).logicalId) as string;
  const names = {
    [idOf(stack.table.table)]: storage.table,
    [idOf(stack.storage.artifacts)]: storage.buckets.artifacts,
    [idOf(stack.storage.configs)]: storage.buckets.configs,
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
  return { machine, template, names, close: () => dynamo.destroy() };
}
