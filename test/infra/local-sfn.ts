import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';

/**
 * Runs the synthesized state machine with aws-local-stepfunctions: template references replaced
 * by local names, every Task state answered here (Lambda handlers in process; the DynamoDB and S3
 * integrations against the emulators), and the Distributed Map features the library lacks
 * (ItemReader, ToleratedFailurePercentage) rewritten into plain states. What the rewrite drops
 * is asserted on the template itself (pipeline.test.ts).
 */

// The library calls Promise.withResolvers (Node 22+) in every Task; on Node 20 each Task would
// fail with a TypeError that the definition's Catch quietly turns into a MarkFailed.
const promises = Promise as unknown as { withResolvers?: () => object };
promises.withResolvers ??= () => {
  const resolvers: Record<string, unknown> = {};
  const promise = new Promise((resolve, reject) => Object.assign(resolvers, { resolve, reject }));
  return { promise, ...resolvers };
};

export const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
export const functionArn = (logicalId: string) =>
  `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
/** The local machine's ARN; its executions are `…:execution:OpenClio:local-<n>`. */
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:OpenClio`;

type Json = Record<string, unknown>;
type State = Json & { Type: string };
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, State>;
}
export interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties?: Json }>;
}
/** Logical id → the local name standing in for it (a bucket, the table). */
export type LocalNames = Readonly<Record<string, string>>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const named = (name: string, message: string) => Object.assign(new Error(message), { name });
const PSEUDO: LocalNames = { 'AWS::Partition': 'aws', 'AWS::Region': REGION };

/** A CloudFormation value with Ref, Fn::GetAtt (function ARNs) and Fn::Join resolved locally. */
function resolve(value: unknown, template: TemplateJson, names: LocalNames): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, template, names));
  if (!isRecord(value)) return value;
  if (typeof value.Ref === 'string') {
    const name = PSEUDO[value.Ref] ?? names[value.Ref];
    if (name === undefined) throw new Error(`no local stand-in for Ref ${value.Ref}`);
    return name;
  }
  const [id, attribute] = (value['Fn::GetAtt'] ?? []) as string[];
  if (id !== undefined) {
    if (attribute !== 'Arn' || template.Resources[id]?.Type !== 'AWS::Lambda::Function')
      throw new Error(`no local stand-in for Fn::GetAtt ${id}.${attribute}`);
    return functionArn(id);
  }
  const join = value['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map((part) => resolve(part, template, names)).join(join[0]);
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, resolve(v, template, names)]),
  );
}

function onlyResource(template: TemplateJson, type: string): [string, Json] {
  const found = Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [id, resource] = found[0] as [string, { Properties?: Json }];
  return [id, resource.Properties ?? {}];
}

/** The state machine's definition as deployed, with local names for what it references. */
export function stateMachineDefinition(template: TemplateJson, names: LocalNames): AslDefinition {
  const [, props] = onlyResource(template, 'AWS::StepFunctions::StateMachine');
  return JSON.parse(String(resolve(props.DefinitionString, template, names)));
}

/** The `Object Created` event S3 sends to EventBridge for an upload. */
export const s3ObjectCreated = (
  bucket: string,
  key: string,
  etag: string,
  size: number,
  versionId?: string,
) => ({
  source: 'aws.s3',
  'detail-type': 'Object Created',
  account: ACCOUNT,
  region: REGION,
  time: new Date().toISOString(),
  resources: [`arn:aws:s3:::${bucket}`],
  detail: {
    bucket: { name: bucket },
    object: { key, size, etag, ...(versionId ? { 'version-id': versionId } : {}) },
    reason: 'PutObject',
  },
});

const COMPARE: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
};

/** EventBridge pattern matching, for the operators the stack uses. */
function matches(pattern: unknown, value: unknown): boolean {
  if (isRecord(pattern))
    return isRecord(value) && Object.entries(pattern).every(([k, p]) => matches(p, value[k]));
  return (pattern as unknown[]).some((leaf) => {
    if (!isRecord(leaf)) return leaf === value;
    if (Object.keys(leaf).length !== 1)
      throw new Error(`event pattern operator not emulated: ${JSON.stringify(leaf)}`);
    if (Array.isArray(leaf.numeric)) {
      const [op, bound] = leaf.numeric as [string, number];
      const compare = COMPARE[op];
      if (!compare || leaf.numeric.length !== 2)
        throw new Error(`numeric pattern not emulated: ${JSON.stringify(leaf)}`);
      return typeof value === 'number' && compare(value, bound);
    }
    if (typeof leaf.wildcard !== 'string')
      throw new Error(`event pattern operator not emulated: ${JSON.stringify(leaf)}`);
    const parts = leaf.wildcard.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return typeof value === 'string' && new RegExp(`^${parts.join('.*')}$`).test(value);
  });
}

/** The functions (by ARN) that the stack's rules deliver `event` to, whole (no transformer). */
export function lambdaTargetsOf(
  template: TemplateJson,
  names: LocalNames,
  event: unknown,
): string[] {
  const arns: string[] = [];
  for (const rule of Object.values(template.Resources)) {
    if (rule.Type !== 'AWS::Events::Rule') continue;
    if (!matches(resolve(rule.Properties?.EventPattern, template, names), event)) continue;
    for (const target of (rule.Properties?.Targets ?? []) as Json[]) {
      const arn = resolve(target.Arn, template, names);
      if (typeof arn === 'string' && arn.includes(':lambda:') && !target.InputTransformer)
        arns.push(arn);
    }
  }
  return arns;
}

/** The "Step Functions Execution Status Change" event EventBridge sends when an execution ends. */
export function executionStatusChanged(execution: LocalExecution, stateMachineArn: string) {
  return {
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    account: ACCOUNT,
    region: REGION,
    time: new Date().toISOString(),
    resources: [execution.executionArn],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn,
      name: execution.executionArn.split(':').at(-1),
      status: execution.status,
      input: JSON.stringify(execution.input),
      inputDetails: { included: true },
      output: execution.output ? JSON.stringify(execution.output) : null,
      error: execution.error ?? null,
      cause: execution.cause ?? null,
      redriveCount: 0,
    },
  };
}

/**
 * The execution input the stack's EventBridge rule makes of `event`, or undefined when its
 * pattern does not match. As EventBridge's input transformer does, a placeholder inside a JSON
 * string is inserted raw, one standing alone as JSON.
 */
export function ruleInput(template: TemplateJson, names: LocalNames, event: unknown): unknown {
  const [machineId] = onlyResource(template, 'AWS::StepFunctions::StateMachine');
  for (const rule of Object.values(template.Resources)) {
    const targets = (rule.Type === 'AWS::Events::Rule' ? rule.Properties?.Targets : []) as Json[];
    const target = targets.find((t) => isRecord(t.Arn) && t.Arn.Ref === machineId);
    if (!target) continue;
    if (!matches(resolve(rule.Properties?.EventPattern, template, names), event)) return undefined;
    const { InputPathsMap: paths, InputTemplate: text } = target.InputTransformer as {
      InputPathsMap: Record<string, string>;
      InputTemplate: string;
    };
    const value = (name: string) =>
      (paths[name] ?? '')
        .split('.')
        .slice(1)
        .reduce<unknown>((v, key) => (isRecord(v) ? v[key] : undefined), event);
    const fill = (token: string, bare?: string) =>
      bare !== undefined
        ? JSON.stringify(value(bare) ?? null)
        : token.replace(/<([^<>"]+)>/g, (p, n: string) => (n in paths ? String(value(n)) : p));
    return JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|<([^<>"]+)>/g, fill));
  }
  throw new Error('no EventBridge rule targets the state machine');
}

/** What the rewrite adds to the state; left out when payloads are measured. */
const LOCAL = { items: 'lsfnItems', results: 'lsfnResults', restored: 'lsfnRestored' };
const TOLERANCE = 'arn:aws:states:::local:toleratedFailures';

function* allStates(states: Record<string, State>): Generator<[string, State]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state];
    const processor = state.ItemProcessor as AslDefinition | undefined;
    if (processor) yield* allStates(processor.States);
  }
}

/**
 * Each Distributed Map `M` becomes `M.ItemReader` (a Task reading the item list from S3, as the
 * ItemReader does) → `M` (an inline Map whose failing children end in `M.ChildFailed` instead)
 * → `M.ToleratedFailures` (fails with States.ExceedToleratedFailureThreshold when more children
 * failed than tolerated, else leaves the state as `ResultPath: null` would).
 */
function localizeDistributedMaps(definition: AslDefinition) {
  const states = structuredClone(definition.States);
  const tolerance = new Map<string, number>();
  for (const [name, original] of Object.entries(definition.States)) {
    if (original.Type !== 'Map' || !isRecord(original.ItemReader)) continue;
    const { ItemReader, ToleratedFailurePercentage, Label, Catch, Next, ...map } =
      structuredClone(original);
    // Results written to S3 by a ResultWriter are not read back by the definition: dropped here,
    // asserted on the template.
    delete map.ResultWriter;
    if (map.ResultPath !== null || map.ItemBatcher || !Next)
      throw new Error(`${name}: only an unbatched Map with ResultPath null and Next is emulated`);
    const [reader, check, childFailed] = ['ItemReader', 'ToleratedFailures', 'ChildFailed'].map(
      (suffix) => `${name}.${suffix}`,
    ) as [string, string, string];
    for (const state of Object.values(states))
      for (const holder of [
        state,
        ...((state.Choices ?? []) as Json[]),
        ...((state.Catch ?? []) as Json[]),
      ])
        for (const field of ['Next', 'Default']) if (holder[field] === name) holder[field] = reader;
    const catches = Catch ? { Catch } : {};
    const { Resource, Parameters } = ItemReader as Json;
    states[reader] = {
      Type: 'Task',
      Resource,
      Parameters,
      ResultPath: `$.${LOCAL.items}`,
      Next: name,
      ...catches,
    };
    const processor = map.ItemProcessor as AslDefinition;
    for (const state of Object.values(processor.States))
      if (state.Type === 'Task')
        state.Catch = [
          ...((state.Catch ?? []) as Json[]),
          { ErrorEquals: ['States.ALL'], ResultPath: null, Next: childFailed },
        ];
    processor.States[childFailed] = { Type: 'Pass', Parameters: { failed: true }, End: true };
    const items = { ItemsPath: `$.${LOCAL.items}`, ResultPath: `$.${LOCAL.results}` };
    states[name] = { ...map, Type: 'Map', ...items, Next: check, ...catches };
    // Not `ResultPath: '$'`, which the library stores under a "$" key instead of replacing.
    const restored = `$.${LOCAL.restored}`;
    const output = { ResultPath: restored, OutputPath: restored };
    states[check] = { Type: 'Task', Resource: TOLERANCE, ...output, Next, ...catches };
    tolerance.set(check, Number(ToleratedFailurePercentage ?? 0));
  }
  return { definition: { ...definition, States: states }, tolerance };
}

export type LambdaHandler = (event: unknown) => Promise<unknown>;
export interface LambdaCall {
  readonly state: string;
  readonly event: Json;
  /** The error name, when the invocation failed. */
  error?: string;
}
/** Wraps each invocation, e.g. to make it fail before or after the real handler ran. */
export type Intercept = (call: LambdaCall, invoke: () => Promise<unknown>) => Promise<unknown>;

export interface LocalExecution {
  readonly executionArn: string;
  readonly input: unknown;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: Json;
  readonly error?: string;
  readonly cause?: string;
  /** Top-level states in the order entered, the rewrite's own states left out. */
  readonly path: string[];
  readonly calls: LambdaCall[];
  /** Largest JSON of a state's input or output or a Lambda's event or result. */
  readonly maxPayloadBytes: number;
}

export interface LocalServices {
  readonly s3: S3Client;
  readonly dynamo: DynamoDBClient;
  /** By function ARN (`functionArn(logicalId)`). */
  readonly lambdas: Readonly<Record<string, LambdaHandler>>;
}

interface Run {
  readonly calls: LambdaCall[];
  readonly intercept: Intercept;
  largest: number;
}
type LogEvent = {
  type: string;
  index?: number;
  state?: { name: string; input: unknown; output?: unknown };
};

export class LocalStateMachine {
  readonly definition: AslDefinition;
  readonly #tolerance: Map<string, number>;
  readonly #machine: StateMachine;
  readonly #services: LocalServices;
  #executions = 0;

  constructor(definition: AslDefinition, services: LocalServices) {
    this.#services = services;
    ({ definition: this.definition, tolerance: this.#tolerance } =
      localizeDistributedMaps(definition));
    this.#machine = new StateMachine(this.definition as unknown as StateMachineDefinition);
  }

  async start(
    input: unknown,
    intercept: Intercept = (_, invoke) => invoke(),
  ): Promise<LocalExecution> {
    const name = `local-${++this.#executions}`;
    const run: Run = { calls: [], intercept, largest: 0 };
    const tasks: NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers'] = {};
    const noWaits: Record<string, number> = {};
    for (const [state, def] of allStates(this.definition.States)) {
      if (def.Type === 'Task')
        tasks[state] = (i) => this.#task(state, String(def.Resource), i as Json, run) as never;
      if (def.Retry) noWaits[state] = 0;
    }
    const Id = `arn:aws:states:${REGION}:${ACCOUNT}:execution:OpenClio:${name}`;
    const execution = this.#machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: tasks, retryIntervalOverrides: noWaits },
      context: { Execution: { Id, Name: name } },
    });
    const path: string[] = [];
    const logged = (async () => {
      for await (const { type, index, state } of execution.eventLogs as AsyncGenerator<LogEvent>) {
        if (!state) continue;
        measure(run, state.input);
        measure(run, state.output);
        if (type === 'StateEntered' && index === undefined && !state.name.includes('.'))
          path.push(state.name);
      }
    })();
    const outcome = await execution.result.then(
      (output) => ({ status: 'SUCCEEDED' as const, output: output as Json }),
      (error: { cause?: Error } & Error) => {
        const { name: failed, message } = error.cause ?? error;
        return { status: 'FAILED' as const, error: failed, cause: message };
      },
    );
    await logged;
    return {
      ...outcome,
      executionArn: Id,
      input,
      path,
      calls: run.calls,
      maxPayloadBytes: run.largest,
    };
  }

  async #task(state: string, resource: string, params: Json, run: Run): Promise<unknown> {
    if (resource.endsWith(':states:::lambda:invoke')) return this.#invoke(state, params, run);
    if (resource.endsWith(':states:::dynamodb:putItem')) {
      const command = new PutItemCommand(params as unknown as PutItemCommand['input']);
      const { $metadata: _, ...output } = await this.#services.dynamo
        .send(command)
        .catch((e: Error) => {
          throw named(`DynamoDB.${e.name}`, e.message); // the integration's error names
        });
      return output;
    }
    if (resource.endsWith(':states:::s3:getObject')) {
      const { Bucket, Key } = params as { Bucket: string; Key: string };
      const command = new GetObjectCommand({ Bucket, Key });
      const object = await this.#services.s3.send(command).catch((e: Error) => {
        throw named('States.ItemReaderFailed', e.message);
      });
      return JSON.parse((await object.Body?.transformToString('utf-8')) ?? 'null');
    }
    if (resource !== TOLERANCE) throw new Error(`${state}: no local emulation of ${resource}`);
    const {
      [LOCAL.items]: _,
      [LOCAL.results]: all = [],
      ...before
    } = params as Record<string, Json[]>;
    const failed = all.filter((r) => r.failed === true).length;
    const tolerated = this.#tolerance.get(state) ?? 0;
    if (failed * 100 > tolerated * all.length)
      throw named(
        'States.ExceedToleratedFailureThreshold',
        `${failed} of ${all.length} child executions failed; ${tolerated}% are tolerated`,
      );
    return before;
  }

  async #invoke(state: string, params: Json, run: Run): Promise<unknown> {
    const handler = this.#services.lambdas[String(params.FunctionName)];
    if (!handler)
      throw named('Lambda.ResourceNotFoundException', `no function ${params.FunctionName}`);
    const viaJson = (value: unknown) => JSON.parse(JSON.stringify(value ?? null));
    const call: LambdaCall = { state, event: viaJson(params.Payload) };
    run.calls.push(call);
    try {
      const result = viaJson(await run.intercept(call, () => handler(call.event)));
      measure(run, result);
      return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
    } catch (error) {
      const { name, message, stack } = error as Error;
      call.error = name;
      // As Lambda reports a function error: its type as the error, the runtime's JSON as cause.
      const cause = { errorType: name, errorMessage: message, trace: stack?.split('\n') ?? [] };
      throw named(name, JSON.stringify(cause));
    }
  }
}

function measure(run: Run, value: unknown): void {
  if (value === undefined) return;
  const local = Object.values<string>(LOCAL);
  const shown = isRecord(value)
    ? Object.fromEntries(Object.entries(value).filter(([k]) => !local.includes(k)))
    : value;
  run.largest = Math.max(run.largest, Buffer.byteLength(JSON.stringify(shown)));
}
