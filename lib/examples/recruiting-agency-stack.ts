import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PatternFunction } from '../core/pattern-function';
import { bundledHandlerCode } from '../core/private/assets';
import { FifoFanout } from '../fifo-fanout';
import { ExampleStackProps } from './example-stack-props';
import { EVENT_TYPE_ATTRIBUTE } from '../fifo-fanout/contract';

/** Properties of the {@link RecruitingAgencyStack}. */
export interface RecruitingAgencyStackProps extends ExampleStackProps {
  /**
   * What happens to the analytics bucket and inventory table when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The recruiting agency from the AWS post on SNS FIFO: job events published to `JobEvents.fifo` fan out, in order
 * per job, to an analytics queue (every event, written to S3) and an inventory queue (only JobCreated and
 * JobDeleted, applied to a DynamoDB table).
 */
export class RecruitingAgencyStack extends Stack {
  /** The fan-out construct (topic, subscribers, alarms). */
  public readonly jobEvents: FifoFanout;

  constructor(scope: Construct, id: string, props: RecruitingAgencyStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.jobEvents = new FifoFanout(this, 'JobEvents', { topicName: 'JobEvents.fifo', alarmAction: props.alarmAction });

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the server access logs of the analytics bucket; logging it to itself would loop.',
    });
    const analyticsBucket = new s3.Bucket(this, 'AnalyticsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'analytics/',
      removalPolicy,
    });
    const analyticsWriter = new PatternFunction(this, 'AnalyticsWriter', {
      code: bundledHandlerCode('job-analytics-writer'),
      handler: 'index.handler',
      description: 'Writes every job event to the analytics bucket, in order per job',
      environment: { BUCKET_NAME: analyticsBucket.bucketName },
    });
    // Only PutObject, only below the prefix the writer uses (grantPut would add tagging, retention and Abort*).
    analyticsWriter.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [analyticsBucket.arnForObjects('job-events/*')] }),
    );
    const bucketLogicalId = this.getLogicalId(analyticsBucket.node.defaultChild as s3.CfnBucket);
    Validations.of(analyticsWriter.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/job-events/*]`,
      reason:
        's3:PutObject only, below the job-events/ prefix of this one bucket: keys are generated per event, so a ' +
        'wildcard below the prefix is the narrowest grant that works.',
    });
    this.jobEvents.addSubscriber('Analytics', { consumer: analyticsWriter, maxConcurrency: 5 });

    const inventory = new dynamodb.TableV2(this, 'JobInventory', {
      partitionKey: { name: 'jobId', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    const inventoryWriter = new PatternFunction(this, 'InventoryWriter', {
      code: bundledHandlerCode('job-inventory-writer'),
      handler: 'index.handler',
      description: 'Applies JobCreated/JobDeleted events to the job inventory table',
      environment: { TABLE_NAME: inventory.tableName },
    });
    inventory.grant(inventoryWriter, 'dynamodb:PutItem', 'dynamodb:DeleteItem');
    this.jobEvents.addSubscriber('Inventory', {
      consumer: inventoryWriter,
      filterPolicy: {
        [EVENT_TYPE_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: ['JobCreated', 'JobDeleted'] }),
      },
      maxConcurrency: 5,
    });
  }
}
