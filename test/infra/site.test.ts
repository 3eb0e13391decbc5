import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, type Synthesized, synthApp } from './synth.js';

const viewerDist = mkdtempSync(join(tmpdir(), 'viewer-dist-'));
writeFileSync(join(viewerDist, 'index.html'), '<!doctype html><title>explorer</title>');

let allowList: Synthesized;

beforeAll(() => {
  allowList = synthApp({
    explorer: { allowedCidrs: ['203.0.113.0/24', '2001:db8::/32'], viewerDist },
  });
});

describe('the explorer on CloudFront', () => {
  it('reads the private site bucket through origin access control, HTTPS only', () => {
    const { main } = allowList;
    main.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    main.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'https-only',
          ResponseHeadersPolicyId: { Ref: Match.stringLikeRegexp('SecurityHeaders') },
          Compress: true,
        }),
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: 'data/*',
            ViewerProtocolPolicy: 'https-only',
            // Revalidated on every request (run data changes with every finished run), and
            // compressed, which CachingDisabled would not allow.
            CachePolicyId: { Ref: Match.stringLikeRegexp('DataCachePolicy') },
            Compress: true,
          }),
        ],
        Origins: [
          Match.objectLike({
            OriginAccessControlId: Match.anyValue(),
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ],
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
    main.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          EnableAcceptEncodingBrotli: true,
          EnableAcceptEncodingGzip: true,
        }),
      }),
    });
    main.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('sends security headers, and no-store on run data', () => {
    const { main } = allowList;
    main.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("frame-ancestors 'none'"),
          }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 63_072_000 }),
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        }),
      }),
    });
    main.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        CustomHeadersConfig: {
          Items: [{ Header: 'Cache-Control', Value: 'no-store', Override: true }],
        },
      }),
    });
  });

  it('deploys the viewer build without pruning published run data', () => {
    allowList.main.hasResourceProperties('Custom::CDKBucketDeployment', {
      Prune: true,
      Exclude: ['data/*'],
      DistributionPaths: ['/*'],
    });
  });
});

describe('explorer access', () => {
  it('puts an IP allow-list WAF in us-east-1 and attaches it across regions', () => {
    const { acl, main, stacks } = allowList;
    expect(stacks.acl?.region).toBe('us-east-1');
    expect(stacks.main.region).toBe('eu-west-1');
    acl?.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Block: {} },
      Rules: [
        Match.objectLike({
          Action: { Allow: {} },
          Statement: {
            OrStatement: {
              Statements: [
                { IPSetReferenceStatement: { Arn: Match.anyValue() } },
                { IPSetReferenceStatement: { Arn: Match.anyValue() } },
              ],
            },
          },
        }),
      ],
    });
    acl?.hasResourceProperties('AWS::WAFv2::IPSet', {
      IPAddressVersion: 'IPV4',
      Addresses: ['203.0.113.0/24'],
    });
    acl?.hasResourceProperties('AWS::WAFv2::IPSet', {
      IPAddressVersion: 'IPV6',
      Addresses: ['2001:db8::/32'],
    });
    main.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ExportsReader'), Match.anyValue()] },
      }),
    });
  });

  it('creates the web ACL in the main stack when it is in us-east-1', () => {
    const { main, acl } = synthApp(
      { explorer: { allowedCidrs: ['198.51.100.7/32'] } },
      { region: 'us-east-1' },
    );
    expect(acl).toBeUndefined();
    main.resourceCountIs('AWS::WAFv2::WebACL', 1);
    main.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebAcl'), 'Arn'] },
      }),
    });
  });

  it('attaches a web ACL given by ARN, or none when the explorer is deliberately public', () => {
    const arn = `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/team/0123`;
    const given = synthApp({ explorer: { webAclArn: arn } }).main;
    given.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: arn }),
    });
    const open: Template = synthApp({ explorer: { public: true } }).main;
    open.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: Match.absent() }),
    });
  });

  it('deploys no explorer when it is switched off, and Finalize publishes nothing', () => {
    const { main } = synthApp({ explorer: false });
    main.resourceCountIs('AWS::CloudFront::Distribution', 0);
    main.resourceCountIs('AWS::S3::Bucket', 3);
    main.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^OpenCLIO Finalize'),
      Environment: { Variables: Match.objectLike({ CLIO_SITE_BUCKET: Match.absent() }) },
    });
  });
});
