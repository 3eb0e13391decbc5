import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TTL_ATTRIBUTE } from '../store/dynamo-claims.js';
import { TABLE_SCHEMA } from '../store/dynamo-hierarchy.js';

export interface ClioTableProps {
  /**
   * Keep the table (and deny its deletion) when the stack is deleted.
   * @default true
   */
  readonly retainData?: boolean;
  /**
   * A customer-managed key; `grantTable` then grants the key to the table's users too.
   * @default an AWS-managed key
   */
  readonly encryptionKey?: IKey;
}

/**
 * One table for run records, the cluster hierarchy and trigger claims. Keys are overloaded
 * strings; `lib/store/dynamo-hierarchy.ts` builds them (`tableKeys`).
 *
 * | item          | pk                    | sk                          | gsi1pk / gsi1sk              |
 * | ------------- | --------------------- | --------------------------- | ---------------------------- |
 * | run record    | `RUN#<runId>`         | `RUN`                       | `RUNS` / `<createdAt>#<runId>` |
 * | cluster       | `RUN#<runId>`         | `CLUSTER#<level:02>#<id:06>` | –                            |
 * | trigger claim | `TRIGGER#<configKey>` | `upload#<etag>` or `schedule#<time>` | –                   |
 * | execution     | `EXECUTION#<arn>`     | `EXECUTION`                 | –                            |
 *
 * Access patterns:
 * 1. A run's record (status, counts, failures, usage, cost, timings): GetItem pk=`RUN#id`, sk=`RUN`.
 * 2. Runs newest first (the explorer's index, operators): Query `runs-by-time` with
 *    gsi1pk=`RUNS`, descending; by status with a filter. One item per run, so one partition
 *    holds years of runs.
 * 3. One level of a run's hierarchy, by cluster id: Query pk=`RUN#id`,
 *    begins_with(sk, `CLUSTER#<level>#`); the whole hierarchy with begins_with `CLUSTER#`.
 *    Each cluster carries `parent` and `children`, so walking up or down is key lookups.
 * 4. Everything about a run at once: Query pk=`RUN#id`.
 * 5. "Has this upload or scheduled tick already started a run?": ClaimTrigger's conditional
 *    PutItem on `TRIGGER#<configKey>` / trigger id; MarkFailed and CloseRun delete the claim.
 * 6. "Which run did this execution create?": GetItem `EXECUTION#<arn>` (CloseRun).
 * Claims and execution items expire through TTL (`expiresAt`).
 */
export class ClioTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: ClioTableProps = {}) {
    super(scope, id);
    const retain = props.retainData ?? true;
    const { partitionKey, sortKey, runsIndex } = TABLE_SCHEMA;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      ...(props.encryptionKey
        ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
        : { encryption: TableEncryption.AWS_MANAGED }),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retain,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: runsIndex.name,
      partitionKey: { name: runsIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: runsIndex.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
