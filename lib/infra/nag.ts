import { Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { rules } from 'cdk-nag';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on a construct and everything under it. cdk-nag 3 matches
 * finding ids exactly (no prefix matching), so each wildcard is acknowledged on its own, next
 * to the grant that creates it, with the reason it is acceptable.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** cdk-nag's id for a wildcard action, e.g. `AwsSolutions-IAM5[Action::s3:GetObject*]`. */
export const wildcardAction = (action: string): string => `AwsSolutions-IAM5[Action::${action}]`;

/**
 * cdk-nag's id for a wildcard resource. Tokens are flattened the way cdk-nag flattens them
 * (`<ArtifactsBucket1A2B3C.Arn>/runs/*`), so the id follows logical ids instead of pinning them.
 */
export function wildcardResource(scope: IConstruct, resource: string): string {
  const flat = flattenCfnReference(Stack.of(scope).resolve(resource));
  return `AwsSolutions-IAM5[Resource::${flat}]`;
}

/**
 * Acknowledges, one by one, the IAM wildcards of policies CDK writes for its own machinery
 * (the BucketDeployment helper, the Distributed Map's child-execution policy): their
 * statements are CDK's, not ours to narrow. Call it once the construct is complete.
 */
export function acknowledgeCdkManagedWildcards(scope: IConstruct, reason: string): void {
  for (const node of scope.node.findAll()) {
    if (!(node instanceof CfnPolicy)) continue;
    const findings = rules.iam.IAMNoWildcardPermissions(node);
    if (Array.isArray(findings))
      for (const finding of findings) acknowledge(node, `AwsSolutions-IAM5[${finding}]`, reason);
  }
}
