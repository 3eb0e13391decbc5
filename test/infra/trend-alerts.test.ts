import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/contract.js';
import { parseDeployConfig } from '../../lib/infra/config.js';
import { synthApp } from './synth.js';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

describe('trendAlerts in the deploy config', () => {
  const { main } = synthApp({
    explorer: { public: true },
    trendAlerts: { email: 'analysts@example.com', minPoints: 2, minRatio: 1.5 },
  });
  const functions = main.findResources('AWS::Lambda::Function') as Resources;
  const found = Object.entries(functions).find(([, fn]) =>
    String(fn.Properties.Description ?? '').includes('Finalize'),
  );
  if (!found) throw new Error('no Finalize function in the template');
  const finalize = found;

  it('makes an encrypted topic with the email subscribed', () => {
    main.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'OpenCLIO trend alerts',
      KmsMasterKeyId: Match.anyValue(),
    });
    main.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'analysts@example.com',
    });
  });

  it('tells Finalize the topic, the thresholds and the explorer, and lets only it publish', () => {
    const variables = (finalize[1].Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(variables[ENV.trendTopicArn]).toEqual({
      Ref: expect.stringMatching(/^TrendAlertsTopic/),
    });
    expect(JSON.parse(String(variables[ENV.trendThresholds]))).toEqual({
      minPoints: 2,
      minRatio: 1.5,
    });
    expect(JSON.stringify(variables[ENV.explorerUrl])).toContain('DomainName');
    const policies = main.findResources('AWS::IAM::Policy') as Resources;
    const publishers = Object.entries(policies).filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('sns:Publish'),
    );
    // Finalize, and CloudWatch's alarm topic has none here (no alarmEmail).
    expect(publishers).toHaveLength(1);
    const statements = JSON.stringify(publishers[0]?.[1].Properties.PolicyDocument);
    expect(statements).toContain('TrendAlertsTopic');
    expect(statements).toContain('kms:GenerateDataKey');
    expect(JSON.stringify(publishers[0]?.[1].Properties.Roles)).toContain(
      String((finalize[1].Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]),
    );
  });

  it('is off unless asked for', () => {
    const { main: plain } = synthApp({ explorer: false });
    expect(Object.keys(plain.findResources('AWS::SNS::Topic'))).toEqual([]);
  });

  it('rejects thresholds that could never or would always fire, naming the key', () => {
    expect(() =>
      parseDeployConfig({ explorer: false, trendAlerts: { minRatio: 0.5 } }, 'deploy.json'),
    ).toThrow(/trendAlerts\.minRatio/);
    expect(() =>
      parseDeployConfig({ explorer: false, trendAlerts: { colour: 'red' } }, 'deploy.json'),
    ).toThrow(/colour/);
  });
});
