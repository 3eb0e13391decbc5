import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The AWS clients a remote command talks through; tests pass emulated or mocked ones. */
export interface RemoteClients {
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  readonly dynamo: DynamoDBDocumentClient;
  readonly sfn: SFNClient;
}

/**
 * Clients on the default credential chain. One region for all: a stack's resources live in the
 * region it was found in, and DescribeStacks only looks in the client's region.
 */
export function awsClients(region?: string): RemoteClients & { destroy(): void } {
  const config = region ? { region } : {};
  const dynamo = new DynamoDBClient(config);
  const clients = {
    cloudFormation: new CloudFormationClient(config),
    s3: new S3Client(config),
    dynamo: DynamoDBDocumentClient.from(dynamo),
    sfn: new SFNClient(config),
  };
  return {
    ...clients,
    destroy() {
      clients.cloudFormation.destroy();
      clients.s3.destroy();
      // The document client's destroy is a no-op; the client it wraps holds the sockets.
      dynamo.destroy();
      clients.sfn.destroy();
    },
  };
}
