import { Aws, Fn, Names, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Physical names the stack has to choose itself. CloudFormation generates the others, and
 * those are unique already.
 */

/** Longest region name a token may stand for (`ap-southeast-5` has 14 characters). */
const REGION_RESERVE = 20;

/**
 * A name for a resource whose names are unique per account rather than per region (CloudFront
 * response-headers policies and origin access controls). CDK's generated name comes from the
 * construct path, the same for a stack of the same name in another region of the account, so
 * the region is part of the name.
 */
export function accountUniqueName(scope: IConstruct, id: string, maxLength: number): string {
  const region = Stack.of(scope).region;
  const reserve = Token.isUnresolved(region) ? REGION_RESERVE : region.length;
  const base = Names.uniqueResourceName(scope, {
    maxLength: maxLength - reserve - id.length - 2,
  });
  return `${base}-${id}-${region}`;
}

/**
 * A log group name under `/aws/vendedlogs/<service>/`: CloudWatch Logs covers that prefix with
 * one resource-policy statement for every delivering service, where other names each add one
 * to a policy whose size is limited per account (busy accounts hit it, and logging fails). The
 * name ends with part of the stack's id, so a log group kept after the stack was deleted
 * (`retainData`) does not block the next deployment of a stack of the same name.
 */
export function vendedLogGroupName(scope: IConstruct, service: string): string {
  const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  const suffix = Fn.select(4, Fn.split('-', stackUuid));
  return `/aws/vendedlogs/${service}/${Stack.of(scope).stackName}-${scope.node.id}-${suffix}`;
}
