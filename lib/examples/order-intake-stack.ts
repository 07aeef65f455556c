import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TransactionalOutbox } from '../transactional-outbox';
import { ExampleStackProps } from './example-stack-props';

/** Properties of the {@link OrderIntakeStack}. */
export interface OrderIntakeStackProps extends ExampleStackProps {
  /**
   * Steady-state requests per second the API accepts (stage throttling; bursts up to twice this).
   * @default 50
   */
  readonly throttlingRateLimit?: number;
}

/** The `source` of the order intake's events. */
const ORDER_INTAKE_SOURCE = 'com.example.order-intake';
/** The attributes each order event carries: everything the API writes except the keys and the bookkeeping. */
const ORDER_EVENT_ATTRIBUTES = ['orderId', 'customerId', 'items', 'totalCents', 'status'];
const ORDER_STATUSES = ['PAID', 'SHIPPED', 'CANCELLED'];

/**
 * Zero-code order intake: an API Gateway REST API writes orders straight into DynamoDB (service integrations, no
 * Lambda function), and a change-capturing TransactionalOutbox publishes every creation and change of an order on an
 * `orders` bus. One write per event: placing an order is one PutItem, changing its status one UpdateItem, and each
 * write's new image is the event, with the order's `version` as its per-order sequence.
 *
 * - `POST /orders` `{ customerId, items: [{ sku, quantity }], totalCents }` places an order (id: the API request id)
 *   and answers 201 `{ orderId }`;
 * - `PUT /orders/{orderId}/status` `{ status }` (PAID, SHIPPED or CANCELLED) changes it and answers 200
 *   `{ orderId, status, version }`, or 404 for an unknown order.
 *
 * Requests are validated against JSON schema models before anything is written, and callers sign them (IAM
 * authorization). The API's role may only PutItem and UpdateItem on the orders table.
 */
export class OrderIntakeStack extends Stack {
  /** The change-capturing outbox (orders table, pipe, capture enrichment, bus). */
  public readonly outbox: TransactionalOutbox;
  /** The order API. */
  public readonly api: apigateway.RestApi;

  constructor(scope: Construct, id: string, props: OrderIntakeStackProps = {}) {
    super(scope, id, props);
    this.outbox = new TransactionalOutbox(this, 'Orders', {
      eventSource: ORDER_INTAKE_SOURCE,
      eventBusProps: { description: 'Order events captured from the orders table' },
      capture: { itemTypes: ['Order'], attributes: ORDER_EVENT_ATTRIBUTES, aggregateIdAttribute: 'orderId', sequenceAttribute: 'version' },
      alarmAction: props.alarmAction,
    });

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const rate = props.throttlingRateLimit ?? 50;
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'Order intake: writes orders to DynamoDB, whose changes the outbox publishes',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // The account-level logging role is set below, with an inline policy instead of CDK's managed one.
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: rate,
        throttlingBurstLimit: rate * 2,
      },
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
    });
    this.acknowledgeApiFindings();
    this.api.deploymentStage.node.addDependency(this.apiGatewayLoggingRole());

    const role = new iam.Role(this, 'ApiRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: 'Lets the order API put and update orders in the orders table (nothing else)',
    });
    this.outbox.grantCapturedWrite(role);

    const validator = new apigateway.RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const orders = this.api.root.addResource('orders');
    orders.addMethod('POST', this.dynamoDbIntegration(role, 'PutItem', placeOrderTemplate(this.outbox), placedResponse()), {
      requestValidator: validator,
      requestModels: { 'application/json': this.model('PlaceOrder', PLACE_ORDER_SCHEMA) },
      methodResponses: METHOD_RESPONSES,
    });
    orders.addResource('{orderId}').addResource('status').addMethod('PUT',
      this.dynamoDbIntegration(role, 'UpdateItem', updateStatusTemplate(this.outbox), statusResponse()), {
        requestValidator: validator,
        requestParameters: { 'method.request.path.orderId': true },
        requestModels: { 'application/json': this.model('UpdateOrderStatus', UPDATE_STATUS_SCHEMA) },
        methodResponses: METHOD_RESPONSES,
      });
  }

  private model(name: string, schema: apigateway.JsonSchema): apigateway.Model {
    return this.api.addModel(name, { contentType: 'application/json', modelName: name, schema });
  }

  /** A DynamoDB action as the integration: the request template is the action's input, no function in between. */
  private dynamoDbIntegration(role: iam.IRole, action: string, requestTemplate: string, success: string): apigateway.AwsIntegration {
    return new apigateway.AwsIntegration({
      service: 'dynamodb',
      action,
      options: {
        credentialsRole: role,
        passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
        requestTemplates: { 'application/json': requestTemplate },
        timeout: Duration.seconds(5),
        integrationResponses: [
          { statusCode: '200', responseTemplates: { 'application/json': success } },
          // DynamoDB answers 400 for a failed condition (ConditionalCheckFailedException) and for a rejected request.
          { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': REJECTED_RESPONSE } },
          { statusCode: '500', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': '{"message": "try again later"}' } },
        ],
      },
    });
  }

  /**
   * API Gateway writes execution and access logs only once the account's API Gateway settings name a CloudWatch role
   * (AWS::ApiGateway::Account, one per account and region): the actions of the AWS managed policy
   * AmazonAPIGatewayPushToCloudWatchLogs, inline. Retained with the stack's deletion, since other APIs of the account
   * log through the same setting.
   */
  private apiGatewayLoggingRole(): apigateway.CfnAccount {
    const role = new iam.Role(this, 'ApiGatewayLoggingRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: 'Lets API Gateway write the execution and access logs of this account\'s APIs in this region',
      inlinePolicies: {
        logs: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({
            actions: [
              'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams',
              'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:FilterLogEvents',
            ],
            resources: ['*'],
          })],
        }),
      },
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'API Gateway\'s account-wide logging role: it writes the execution logs (API-Gateway-Execution-Logs_<api id>/<stage>) ' +
        'and access logs of every API of the account in this region, whose log groups this stack cannot know, and ' +
        'logs:DescribeLogGroups takes no resource. The actions are those of AmazonAPIGatewayPushToCloudWatchLogs.',
    });
    const account = new apigateway.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    return account;
  }

  private acknowledgeApiFindings(): void {
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'A WAFv2 web ACL is an account-level choice with a monthly fee per ACL and rule; this API is IAM-authorized ' +
        '(unsigned requests never reach DynamoDB), throttled per stage, and validates every body against a schema. ' +
        'Associate your organisation\'s web ACL with the stage if it has one.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'The methods use IAM authorization (SigV4): the callers are services and back-office tools with AWS ' +
        'credentials, not end users with a Cognito user pool.',
    });
  }
}

/**
 * API Gateway's request model schemas are JSON Schema draft 4. Every string has a maxLength and every array a maxItems:
 * nothing checks an order between the API and the table, so these bounds are what keeps an order's event within the
 * outbox's per-event cap (an event over it would be set aside, not published). order-intake-event-bound.test.ts
 * computes the largest event a valid request can produce and checks it against the cap.
 */
const PLACE_ORDER_SCHEMA: apigateway.JsonSchema = {
  schema: apigateway.JsonSchemaVersion.DRAFT4,
  title: 'PlaceOrder',
  type: apigateway.JsonSchemaType.OBJECT,
  required: ['customerId', 'items', 'totalCents'],
  additionalProperties: false,
  properties: {
    customerId: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]{1,64}$' },
    items: {
      type: apigateway.JsonSchemaType.ARRAY,
      minItems: 1,
      maxItems: 50,
      items: {
        type: apigateway.JsonSchemaType.OBJECT,
        required: ['sku', 'quantity'],
        additionalProperties: false,
        properties: {
          sku: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9-]{1,32}$' },
          quantity: { type: apigateway.JsonSchemaType.INTEGER, minimum: 1, maximum: 1000 },
        },
      },
    },
    // Whole cents: an integer prints the same in the mapping template as in the request, and DynamoDB stores it exactly.
    totalCents: { type: apigateway.JsonSchemaType.INTEGER, minimum: 0, maximum: 100_000_000 },
  },
};

const UPDATE_STATUS_SCHEMA: apigateway.JsonSchema = {
  schema: apigateway.JsonSchemaVersion.DRAFT4,
  title: 'UpdateOrderStatus',
  type: apigateway.JsonSchemaType.OBJECT,
  required: ['status'],
  additionalProperties: false,
  properties: { status: { type: apigateway.JsonSchemaType.STRING, enum: ORDER_STATUSES } },
};

const METHOD_RESPONSES: apigateway.MethodResponse[] = ['200', '201', '400', '404', '409', '500'].map((statusCode) => ({ statusCode }));

/**
 * The PutItem input for `POST /orders`: a new order (id: the API request id) of type Order at version 1. The schema
 * model has already restricted every string to letters, digits and hyphens and every number to an integer, so the
 * values are placed as they are; `$input.json` writes the customer id as a JSON string.
 */
function placeOrderTemplate(outbox: TransactionalOutbox): string {
  const { partitionKey, sortKey } = outbox.tableAttributes;
  return JSON.stringify({
    TableName: outbox.table.tableName,
    Item: {
      [partitionKey]: { S: 'ORDER#$context.requestId' },
      ...(sortKey ? { [sortKey]: { S: 'ORDER' } } : {}),
      type: { S: 'Order' },
      orderId: { S: '$context.requestId' },
      customerId: { S: '@CUSTOMER@' },
      items: { L: ['@ITEMS@'] },
      totalCents: { N: '$input.path(\'$.totalCents\')' },
      status: { S: 'PLACED' },
      version: { N: '1' },
    },
    ConditionExpression: `attribute_not_exists(${partitionKey})`,
  }).replace('"@CUSTOMER@"', '$input.json(\'$.customerId\')')
    .replace('"@ITEMS@"', '#foreach($item in $input.path(\'$.items\')){"M": {"sku": {"S": "$item.sku"}, "quantity": {"N": "$item.quantity"}}}' +
      '#if($foreach.hasNext),#end#end');
}

/**
 * The UpdateItem input for `PUT /orders/{orderId}/status`: the new status, and `version` one more (the event's
 * sequence), only if the order exists. `$util.escapeJavaScript` keeps the path parameter inside its JSON string.
 */
function updateStatusTemplate(outbox: TransactionalOutbox): string {
  const { partitionKey, sortKey } = outbox.tableAttributes;
  return JSON.stringify({
    TableName: outbox.table.tableName,
    Key: {
      [partitionKey]: { S: 'ORDER#$util.escapeJavaScript($input.params(\'orderId\'))' },
      ...(sortKey ? { [sortKey]: { S: 'ORDER' } } : {}),
    },
    UpdateExpression: 'SET #status = :status ADD #version :one',
    ConditionExpression: `attribute_exists(${partitionKey})`,
    ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
    ExpressionAttributeValues: { ':status': { S: '@STATUS@' }, ':one': { N: '1' } },
    ReturnValues: 'ALL_NEW',
  }).replace('"@STATUS@"', '$input.json(\'$.status\')');
}

function placedResponse(): string {
  return '#set($context.responseOverride.status = 201)\n{"orderId": "$context.requestId"}';
}

function statusResponse(): string {
  return '{"orderId": "$input.path(\'$.Attributes.orderId.S\')", "status": "$input.path(\'$.Attributes.status.S\')", ' +
    '"version": $input.path(\'$.Attributes.version.N\')}';
}

/** A failed condition means a missing order (update) or a taken id (create); anything else is a bad request. */
const REJECTED_RESPONSE = [
  '#set($type = $input.path(\'$.__type\'))',
  '#if($type.contains(\'ConditionalCheckFailed\'))',
  '#if($context.httpMethod == \'POST\')#set($context.responseOverride.status = 409){"message": "order exists"}',
  '#else#set($context.responseOverride.status = 404){"message": "no such order"}#end',
  '#else{"message": "request rejected"}#end',
].join('\n');
