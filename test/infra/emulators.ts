import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMA } from '../../lib/store/dynamo-hierarchy.js';

/**
 * Local S3 (s3rver) and DynamoDB (dynalite) on 127.0.0.1 with free ports, and SDK clients
 * pointed at them with fake static credentials: nothing here reaches AWS.
 */

const require = createRequire(import.meta.url);
// Neither emulator ships type declarations; these are the parts of their APIs used here.
const S3rver = require('s3rver') as new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
}) => { run(): Promise<AddressInfo>; close(): Promise<void> };
const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;

const region = 'us-east-1';

export interface S3Emulator {
  readonly endpoint: string;
  readonly client: S3Client;
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startS3(): Promise<S3Emulator> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region,
    // The only key pair s3rver accepts.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    endpoint,
    client,
    createBucket: async (Bucket) => {
      await client.send(new CreateBucketCommand({ Bucket }));
    },
    close: async () => {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface DynamoEmulator {
  readonly endpoint: string;
  readonly client: DynamoDBDocumentClient;
  /** A table with the stack's key schema and runs index. */
  createRunsTable(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startDynamo(): Promise<DynamoEmulator> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const raw = new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
  });
  const client = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const { partitionKey, sortKey, runsIndex } = TABLE_SCHEMA;
  return {
    endpoint,
    client,
    createRunsTable: async (TableName) => {
      await raw.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            partitionKey,
            sortKey,
            runsIndex.partitionKey,
            runsIndex.sortKey,
          ].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          KeySchema: [
            { AttributeName: partitionKey, KeyType: 'HASH' },
            { AttributeName: sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: runsIndex.name,
              KeySchema: [
                { AttributeName: runsIndex.partitionKey, KeyType: 'HASH' },
                { AttributeName: runsIndex.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      );
    },
    close: async () => {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
