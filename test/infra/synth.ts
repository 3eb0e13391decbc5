import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type OpenClioApp } from '../../lib/infra/app.js';
import { PROJECT_ROOT } from '../../lib/infra/bundle/bundling.js';
import { parseDeployConfig } from '../../lib/infra/config.js';

/** The feature flags of cdk.json, so tests synthesize what `cdk synth` does. */
export const { openClio: _example, ...CDK_FLAGS } = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8'),
).context as Record<string, unknown>;

export const ACCOUNT = '123456789012';

/** A stand-in viewer build: `cdk synth` builds the real one, tests need not run vite. */
export const TEST_VIEWER_DIST = mkdtempSync(join(tmpdir(), 'clio-viewer-'));
writeFileSync(join(TEST_VIEWER_DIST, 'index.html'), '<!doctype html><title>OpenCLIO</title>');

/** The config with the stand-in viewer build, unless it names its own or has no explorer. */
function withTestViewer(config: Record<string, unknown>): Record<string, unknown> {
  const explorer = config.explorer;
  if (typeof explorer !== 'object' || explorer === null || 'viewerDist' in explorer) return config;
  return { ...config, explorer: { ...explorer, viewerDist: TEST_VIEWER_DIST } };
}

export interface Synthesized {
  readonly app: App;
  readonly stacks: OpenClioApp;
  readonly main: Template;
  readonly acl: Template | undefined;
}

/**
 * Builds the app from a deploy config (as `bin/cdk.ts` does, cdk-nag included) and synthesizes
 * it. Lambda bundling is skipped unless asked for: only the bundling test needs the assets; the
 * explorer gets `TEST_VIEWER_DIST` unless the config names a viewer build.
 */
export function synthApp(
  config: Record<string, unknown>,
  options: { region?: string; bundle?: boolean } = {},
): Synthesized {
  const app = new App({
    context: { ...CDK_FLAGS, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stacks = buildApp(app, parseDeployConfig(withTestViewer(config), 'test'), {
    CDK_DEFAULT_ACCOUNT: ACCOUNT,
    CDK_DEFAULT_REGION: options.region ?? 'eu-west-1',
  });
  return {
    app,
    stacks,
    main: Template.fromStack(stacks.main),
    acl: stacks.acl ? Template.fromStack(stacks.acl) : undefined,
  };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const resources = (template: Template) => template.toJSON().Resources as Resources;

/** The logical id of the one resource of `type` whose properties match `test`. */
export function findId(
  template: Template,
  type: string,
  test: (props: Record<string, unknown>) => boolean,
): string {
  const ids = Object.entries(resources(template))
    .filter(([, r]) => r.Type === type && test(r.Properties ?? {}))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0] as string;
}

export interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Effect: string;
}

/** Every policy statement on the role of the step function whose description starts with `step`. */
export function stepStatements(template: Template, step: string): Statement[] {
  const fn = findId(template, 'AWS::Lambda::Function', (p) =>
    String(p.Description ?? '').startsWith(`OpenCLIO ${step}:`),
  );
  const roleRef = resources(template)[fn]?.Properties?.Role as { 'Fn::GetAtt': [string] };
  const role = roleRef['Fn::GetAtt'][0];
  return Object.values(resources(template))
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties?.Roles).includes(`"Ref":"${role}"`),
    )
    .flatMap(
      (r) =>
        (r.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [],
    );
}

export const actionsOf = (statements: readonly Statement[]): string[] =>
  [...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();

/** The state machine's definition as JSON, tokens replaced by `<ref>`. */
export function definitionOf(template: Template): {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
} {
  const sm = Object.values(resources(template)).find(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  const body = sm?.Properties?.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<ref>')).join('');
  return JSON.parse(text);
}
