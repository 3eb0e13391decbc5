import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/infra/bundle/bundling.js';
import { synthApp } from './synth.js';

/** Every acknowledgement in the app: rule id → reason. */
function acknowledgements(root: IConstruct): Map<string, string> {
  const found = new Map<string, string>();
  for (const node of root.node.findAll())
    for (const entry of node.node.metadata)
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
          found.set(id.replace(/^annotation::/i, ''), reason);
  return found;
}

/** Runs the AwsSolutions pack directly, for its list of findings (synth only says pass/fail). */
const violations = (root: IConstruct) =>
  new AwsSolutionsChecks().validateScope(root).violations.map((v) => v.ruleName);

/** The deploy config `.ci/run` synthesizes with: every enterprise option on. */
const ciDeployConfig = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'test', 'fixtures', 'deploy-ci.json'), 'utf8'),
) as Record<string, unknown>;

describe('cdk-nag AwsSolutions checks', () => {
  it.each([
    [
      'the CI deploy config (IP allow-list with its ACL stack in us-east-1, a created KMS key, tags)',
      ciDeployConfig,
      'eu-west-1',
    ],
    [
      'an existing KMS key, existing secrets with their own key, no explorer',
      {
        explorer: false,
        encryption: {
          key: 'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-000000000000',
          existingSecretsKey:
            'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-000000000001',
        },
        existingSecrets: { ANTHROPIC_API_KEY: 'team/anthropic' },
      },
      'eu-west-1',
    ],
    [
      'a public explorer with schedules, alarm email, existing secrets, data not retained',
      {
        explorer: { public: true },
        schedules: [{ name: 'daily', configKey: 'scheduled/a.json', expression: 'rate(1 day)' }],
        alarmEmail: 'ops@example.com',
        trendAlerts: { email: 'analysts@example.com' },
        existingSecrets: { ANTHROPIC_API_KEY: 'team/anthropic' },
        retainData: false,
      },
      'eu-west-1',
    ],
    ['no explorer', { explorer: false }, 'eu-west-1'],
    [
      'an allow-list in us-east-1 with a custom domain',
      {
        explorer: {
          allowedCidrs: ['203.0.113.0/24'],
          domain: {
            names: ['clio.example.com'],
            certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
          },
        },
      },
      'us-east-1',
    ],
  ])('pass for %s', (_name, config, region) => {
    // synthApp runs the checks as part of synthesis (registered by buildApp) and throws on a finding.
    const { app } = synthApp(config, { region });
    expect(violations(app)).toEqual([]);
  });

  it('fail synthesis on a finding nobody acknowledged', () => {
    const { app, stacks } = synthApp({ explorer: false });
    new Bucket(stacks.main, 'Unlogged');
    expect(violations(app)).toEqual(
      expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']),
    );
    expect(() => app.synth({ force: true })).toThrow(/AwsSolutions-S1/);
  });

  it('acknowledge only these rules, each with a written reason', () => {
    const { app } = synthApp({
      explorer: { public: true },
      encryption: { key: 'create' },
      schedules: [{ name: 'daily', configKey: 'scheduled/a.json', expression: 'rate(1 day)' }],
    });
    const acks = acknowledgements(app);
    const rules = [...new Set([...acks.keys()].map((id) => id.replace(/\[.*$/, '')))].sort();
    expect(rules).toEqual([
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
    ]);
    for (const [id, reason] of acks) expect(reason.length, id).toBeGreaterThan(40);
    // IAM wildcards are acknowledged finding by finding, never a whole rule.
    expect(acks.has('AwsSolutions-IAM5')).toBe(false);
  });
});
