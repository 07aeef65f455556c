import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BufferedEventConsumer, IdempotencyTable } from '../buffered-consumer';
import { PatternFunction } from '../core/pattern-function';
import { bundledHandlerCode } from '../core/private/assets';
import { TransactionalOutbox } from '../transactional-outbox';
import { ExampleStackProps } from './example-stack-props';

/** Properties of the {@link OrderServiceStack}. */
export interface OrderServiceStackProps extends ExampleStackProps {
  /**
   * How many consumer invocations of each consumer may run at once.
   * @default 2
   */
  readonly maxConcurrency?: number;
}

/** The `source` of the order service's events. */
const ORDER_SERVICE_SOURCE = 'com.example.order-service';

/**
 * An order service publishing through a transactional outbox: a command function places and cancels orders, each
 * change committed with its event in one DynamoDB transaction; a pipe publishes the events on an `orders` bus, and
 * two buffered, idempotent consumers react to them: one notifies the restaurant, one keeps the customer's order
 * tracking page up to date.
 */
export class OrderServiceStack extends Stack {
  /** The outbox (orders table, pipe, bus). */
  public readonly outbox: TransactionalOutbox;
  /** The function that runs order commands (invoke it with `{ type: 'PlaceOrder', ... }` or `{ type: 'CancelOrder', ... }`). */
  public readonly orderCommands: PatternFunction;
  /** Tells restaurants about new and cancelled orders. */
  public readonly restaurantNotification: BufferedEventConsumer;
  /** Keeps each order's status for the tracking page. */
  public readonly orderTracking: BufferedEventConsumer;

  constructor(scope: Construct, id: string, props: OrderServiceStackProps = {}) {
    super(scope, id, props);
    this.outbox = new TransactionalOutbox(this, 'Orders', {
      eventSource: ORDER_SERVICE_SOURCE,
      eventBusProps: { description: 'Events of the order service' },
      alarmAction: props.alarmAction,
    });
    this.orderCommands = new PatternFunction(this, 'OrderCommands', {
      code: bundledHandlerCode('outbox-order-commands'),
      handler: 'index.handler',
      description: 'Places and cancels orders; each change and its event commit in one transaction',
      memorySize: 256,
      timeout: Duration.seconds(10),
    });
    this.outbox.grantWrite(this.orderCommands);
    // Cancelling reads the order first (its restaurant goes into the event).
    this.orderCommands.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [this.outbox.table.tableArn] }));

    const idempotency = new IdempotencyTable(this, 'Idempotency');
    const maxConcurrency = props.maxConcurrency ?? 2;
    const consumer = (consumerId: string, handlerName: string, description: string, table: dynamodb.TableV2, tableEnv: string) => {
      const buffered = new BufferedEventConsumer(this, consumerId, {
        eventBus: this.outbox.eventBus,
        eventPattern: { source: [ORDER_SERVICE_SOURCE], detailType: ['OrderPlaced', 'OrderCancelled'] },
        ruleDescription: `Buffers order events for the ${description}`,
        consumerProps: {
          code: bundledHandlerCode(handlerName),
          handler: 'index.handler',
          description: `Order service ${description}`,
          memorySize: 256,
          timeout: Duration.seconds(10),
          environment: { [tableEnv]: table.tableName },
        },
        batchSize: 10,
        maxConcurrency,
        idempotencyTable: idempotency,
        alarmAction: props.alarmAction,
      });
      grantItemWrites(table, buffered.consumer);
      return buffered;
    };
    this.restaurantNotification = consumer('RestaurantNotification', 'outbox-restaurant-notifier', 'restaurant notifier',
      this.viewTable('RestaurantInboxTable', 'restaurantId', 'entry'), 'RESTAURANT_INBOX_TABLE');
    this.orderTracking = consumer('OrderTracking', 'outbox-order-tracker', 'order tracker',
      this.viewTable('OrderTrackingTable', 'orderId'), 'ORDER_TRACKING_TABLE');
  }

  /** A table a consumer builds from the events: rebuilt by replaying them, so nothing is lost by destroying it. */
  private viewTable(id: string, partitionKey: string, sortKey?: string): dynamodb.TableV2 {
    return new dynamodb.TableV2(this, id, {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      ...(sortKey ? { sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING } } : {}),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}

/** Exactly the writes the consumers make: PutItem and UpdateItem on their own table. */
function grantItemWrites(table: dynamodb.TableV2, fn: lambda.IFunction): void {
  iam.Grant.addToPrincipal({ grantee: fn, actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], resourceArns: [table.tableArn] });
}
