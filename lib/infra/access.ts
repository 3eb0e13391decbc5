import { isIPv4, isIPv6 } from 'node:net';
import { CfnOutput, Stack, type StackProps, Token } from 'aws-cdk-lib';
import { CfnIPSet, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** WAF for CloudFront (scope CLOUDFRONT) exists only in us-east-1. */
export const CLOUDFRONT_WAF_REGION = 'us-east-1';

/** Splits CIDRs into IPv4 and IPv6, with a clear error for anything else. */
export function parseCidrs(
  cidrs: readonly string[],
  where: string,
): { v4: string[]; v6: string[] } {
  if (cidrs.length === 0) throw new Error(`${where}: allowedCidrs must list at least one CIDR`);
  const v4: string[] = [];
  const v6: string[] = [];
  for (const cidr of cidrs) {
    const [address = '', bits = '', ...extra] = cidr.split('/');
    const prefix = Number(bits);
    if (extra.length === 0 && /^\d+$/.test(bits) && isIPv4(address) && prefix <= 32) v4.push(cidr);
    else if (extra.length === 0 && /^\d+$/.test(bits) && isIPv6(address) && prefix <= 128)
      v6.push(cidr);
    else throw new Error(`${where}: "${cidr}" is not a CIDR like 203.0.113.0/24 or 2001:db8::/32`);
  }
  return { v4, v6 };
}

export interface ExplorerWebAclProps {
  /** Addresses allowed to reach the explorer, e.g. `["203.0.113.0/24"]`; all others get 403. */
  readonly allowedCidrs: readonly string[];
}

/**
 * A WAF web ACL that only lets the listed addresses through. It must live in us-east-1 because
 * CloudFront only attaches CLOUDFRONT-scope ACLs, which exist only there.
 */
export class ExplorerWebAcl extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: ExplorerWebAclProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region) || region !== CLOUDFRONT_WAF_REGION)
      throw new Error(
        `ExplorerWebAcl: a web ACL for CloudFront must be created in ${CLOUDFRONT_WAF_REGION}, but this stack's region is ${Token.isUnresolved(region) ? 'not set' : region}; put it in an ExplorerAclStack and pass its webAclArn`,
      );
    const { v4, v6 } = parseCidrs(props.allowedCidrs, 'ExplorerWebAcl');
    const sets = [
      { id: 'AllowedIPv4', version: 'IPV4', addresses: v4 },
      { id: 'AllowedIPv6', version: 'IPV6', addresses: v6 },
    ]
      .filter((s) => s.addresses.length > 0)
      .map(
        (s) =>
          new CfnIPSet(this, s.id, {
            scope: 'CLOUDFRONT',
            ipAddressVersion: s.version,
            addresses: s.addresses,
          }),
      );
    const statements = sets.map((set) => ({ ipSetReferenceStatement: { arn: set.attrArn } }));
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: 'OpenCLIO explorer: only the allowed addresses',
      defaultAction: { block: {} },
      visibilityConfig: visibility('open-clio-explorer'),
      rules: [
        {
          name: 'AllowListedAddresses',
          priority: 0,
          action: { allow: {} },
          statement:
            statements.length === 1 ? (statements[0] as object) : { orStatement: { statements } },
          visibilityConfig: visibility('open-clio-explorer-allowed'),
        },
      ],
    });
  }
}

export interface ExplorerAclStackProps extends StackProps {
  readonly allowedCidrs: readonly string[];
}

/**
 * The explorer's web ACL in its own stack in us-east-1, for a main stack in another region
 * (which takes `webAcl.attrArn` through a cross-region reference).
 */
export class ExplorerAclStack extends Stack {
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: ExplorerAclStackProps) {
    super(scope, id, props);
    const acl = new ExplorerWebAcl(this, 'ExplorerAcl', { allowedCidrs: props.allowedCidrs });
    this.webAclArn = acl.webAcl.attrArn;
    new CfnOutput(this, 'WebAclArn', { value: this.webAclArn });
  }
}
