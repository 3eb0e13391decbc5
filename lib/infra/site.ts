import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, Token } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  type ResponseCustomHeader,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { SITE_DATA } from '../../lambdas/contract.js';
import { ExplorerWebAcl, parseCidrs } from './access.js';
import type { DataKey } from './encryption.js';
import { acknowledge, acknowledgeCdkManagedWildcards } from './nag.js';
import { accountUniqueName } from './names.js';
import { secureBucket } from './storage.js';
import { DEFAULT_VIEWER_DIST } from './viewer.js';

/**
 * Who may read the explorer. Summaries are sensitive, so there is no default: choose exactly
 * one. `allowedCidrs` creates a WAF IP allow-list in this stack, which then must be in
 * us-east-1 (`ExplorerAclStack` holds it for other regions and gives `webAclArn`).
 */
export interface ExplorerAccess {
  /** Only these addresses get through (WAF web ACL created here; us-east-1 only). */
  readonly allowedCidrs?: readonly string[];
  /** ARN of an existing CLOUDFRONT-scope WAF web ACL (created in us-east-1). */
  readonly webAclArn?: string;
  /** Anyone with the URL may read every published run. Must be chosen explicitly. */
  readonly public?: boolean;
}

/** A custom domain for the explorer; its ACM certificate must be in us-east-1. */
export interface ExplorerDomain {
  readonly names: readonly string[];
  readonly certificateArn: string;
}

const WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+/;

export const DEFAULT_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

export interface ExplorerSiteProps {
  readonly access: ExplorerAccess;
  /** Where the site bucket and CloudFront write their access logs. */
  readonly accessLogs: IBucket;
  /**
   * The built explorer (`npm run build:viewer`, or `ensureViewerBuilt`); it must hold an
   * `index.html`, so an explorer is never deployed empty.
   * @default DEFAULT_VIEWER_DIST ('<repository>/viewer/dist')
   */
  readonly viewerDist?: string;
  /**
   * @default the distribution's own `*.cloudfront.net` name
   */
  readonly domain?: ExplorerDomain;
  /** @default DEFAULT_CONTENT_SECURITY_POLICY */
  readonly contentSecurityPolicy?: string;
  /** @default true */
  readonly retainData?: boolean;
  /**
   * The deployment's customer-managed key, for the site bucket (run data is sensitive).
   * @default SSE-S3
   */
  readonly encryption?: DataKey;
}

/**
 * The explorer: the viewer build and each finished run's data (`data/runs.json`,
 * `data/runs/<runId>/hierarchy.json`) in a private bucket, served by CloudFront through origin
 * access control, HTTPS only, with security headers, behind the chosen access control.
 */
export class ExplorerSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ExplorerSiteProps) {
    super(scope, id);
    const { access } = props;
    const chosen = [
      access.allowedCidrs !== undefined,
      access.webAclArn !== undefined,
      access.public === true,
    ];
    if (chosen.filter(Boolean).length !== 1)
      throw new Error(
        'ExplorerSite: choose exactly one of access.allowedCidrs (WAF IP allow-list), access.webAclArn (your WAF web ACL) or access.public = true (anyone with the URL can read the summaries)',
      );
    if (access.allowedCidrs) parseCidrs(access.allowedCidrs, 'ExplorerSite');
    const arn = access.webAclArn;
    if (arn !== undefined && !Token.isUnresolved(arn) && !WEB_ACL_ARN.test(arn))
      throw new Error(
        `ExplorerSite: webAclArn must be a CLOUDFRONT-scope (global) web ACL ARN in us-east-1, got "${access.webAclArn}"`,
      );
    if (
      props.domain &&
      (props.domain.names.length === 0 || !props.domain.certificateArn.includes(':us-east-1:'))
    )
      throw new Error(
        'ExplorerSite: domain needs at least one name and an ACM certificate ARN in us-east-1',
      );

    const dist = props.viewerDist ?? DEFAULT_VIEWER_DIST;
    if (!existsSync(join(dist, 'index.html')))
      throw new Error(
        `ExplorerSite: the viewer build ${dist} has no index.html; build it (npm run build:viewer) or point viewerDist at a built copy, so the explorer is not deployed empty`,
      );

    const retainData = props.retainData ?? true;
    this.bucket = secureBucket(this, 'Bucket', { accessLogs: props.accessLogs, retainData });
    props.encryption?.encryptServedBucket(this.bucket);
    const webAclId = access.allowedCidrs
      ? new ExplorerWebAcl(this, 'Acl', { allowedCidrs: access.allowedCidrs }).webAcl.attrArn
      : access.webAclArn;

    const securityHeaders = (id: string, customHeaders: ResponseCustomHeader[] = []) =>
      new ResponseHeadersPolicy(this, id, {
        responseHeadersPolicyName: accountUniqueName(this, id, 128),
        comment: 'OpenCLIO explorer: security headers',
        securityHeadersBehavior: {
          contentSecurityPolicy: {
            contentSecurityPolicy: props.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
          referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
          strictTransportSecurity: {
            accessControlMaxAge: Duration.days(730),
            includeSubdomains: true,
            override: true,
          },
          xssProtection: { protection: true, modeBlock: true, override: true },
        },
        ...(customHeaders.length > 0 ? { customHeadersBehavior: { customHeaders } } : {}),
      });
    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket, {
      originAccessControl: new S3OriginAccessControl(this, 'OriginAccess', {
        originAccessControlName: accountUniqueName(this, 'OriginAccess', 64),
      }),
    });
    // CachingDisabled would also turn compression off (CloudFront compresses only under a policy
    // that may cache): a zero default TTL still asks the bucket on every request, and a page of
    // members or the index travels brotli- or gzip-compressed, about a fifth of its size.
    const dataPolicy = new CachePolicy(this, 'DataCachePolicy', {
      comment: 'OpenCLIO run data: revalidated on every request, compressed',
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      enableAcceptEncodingBrotli: true,
      enableAcceptEncodingGzip: true,
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'OpenCLIO explorer',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        compress: true,
        responseHeadersPolicy: securityHeaders('SecurityHeaders'),
      },
      additionalBehaviors: {
        // Run data changes with every finished run: never cached, so a new run shows at once.
        [`${SITE_DATA.prefix}*`]: {
          origin,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: dataPolicy,
          compress: true,
          responseHeadersPolicy: securityHeaders('DataHeaders', [
            { header: 'Cache-Control', value: 'no-store', override: true },
          ]),
        },
      },
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: 'cloudfront/',
      ...(webAclId ? { webAclId } : {}),
      ...(props.domain
        ? {
            domainNames: [...props.domain.names],
            certificate: Certificate.fromCertificateArn(
              this,
              'Certificate',
              props.domain.certificateArn,
            ),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    props.encryption?.allowDistribution(this.distribution.distributionArn);
    this.url = `https://${props.domain?.names[0] ?? this.distribution.distributionDomainName}`;
    new CfnOutput(this, 'Url', { value: this.url, description: 'The explorer' });
    new CfnOutput(this, 'DistributionArn', {
      value: this.distribution.distributionArn,
      description:
        'The SourceArn an existing KMS key policy names to let CloudFront read the explorer',
    });
    this.#acknowledge(props);
    this.#deployViewer(dist, props.encryption);
  }

  #deployViewer(dist: string, encryption: DataKey | undefined): void {
    const deployment = new BucketDeployment(this, 'Viewer', {
      sources: [Source.asset(dist)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      // Run data is published by Finalize, not by deployments: never pruned.
      exclude: [`${SITE_DATA.prefix}*`],
      memoryLimit: 512,
    });
    if (encryption) {
      encryption.grantServedBucketWrite(deployment.handlerRole);
      if (encryption.explorerKeyReady) deployment.node.addDependency(encryption.explorerKeyReady);
    }
    // The deployment runs in a CDK-provided singleton Lambda whose role and runtime CDK picks.
    const helper = deployment.handlerRole.node.scope;
    if (!helper) return;
    const why =
      "CDK's BucketDeployment helper (copies the viewer build into the site bucket at deploy time; not part of a run)";
    acknowledge(helper, 'AwsSolutions-L1', `${why}: CDK chooses and updates its runtime.`);
    acknowledge(
      helper,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `${why}: CDK attaches the basic execution role for its logs.`,
    );
    acknowledgeCdkManagedWildcards(
      helper,
      `${why}: CDK's policy for reading the asset and syncing the bucket.`,
    );
  }

  #acknowledge(props: ExplorerSiteProps): void {
    const d = this.distribution;
    acknowledge(
      d,
      'AwsSolutions-CFR1',
      'Access is limited by the explorer access choice (WAF IP allow-list or web ACL); a country list adds nothing for a team tool.',
    );
    if (props.access.public)
      acknowledge(
        d,
        'AwsSolutions-CFR2',
        'The operator chose access.public = true: the explorer is deliberately reachable without a WAF web ACL.',
      );
    if (!props.domain)
      acknowledge(
        d,
        'AwsSolutions-CFR4',
        'With the default *.cloudfront.net certificate CloudFront fixes the TLS policy; give a domain with an ACM certificate to enforce TLSv1.2_2021.',
      );
  }
}
