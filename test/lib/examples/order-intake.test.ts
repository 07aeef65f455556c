import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ServerlessPatternsChecks } from '../../../lib';
import { formatFindings } from '../../../lib/nag/private/format';
import { EXAMPLE_STACKS } from '../../support/examples';

describe('OrderIntake example', () => {
  let stack: Stack;
  let t: Template;
  beforeAll(() => {
    stack = EXAMPLE_STACKS.OrderIntake();
    t = Template.fromStack(stack);
  });

  /** The one method with this HTTP verb. */
  const method = (verb: string): any => {
    const [found] = Object.values(t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: verb } })) as any[];
    return found.Properties;
  };
  const template = (verb: string): string => {
    const body = method(verb).Integration.RequestTemplates['application/json'];
    // The table name is a reference: render it as a placeholder to read the rest as text.
    return typeof body === 'string' ? body : body['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '<table>')).join('');
  };

  test('no Lambda function in the request path: the methods integrate DynamoDB PutItem and UpdateItem directly', () => {
    expect(method('POST').Integration).toMatchObject({
      Type: 'AWS',
      IntegrationHttpMethod: 'POST',
      PassthroughBehavior: 'NEVER',
      Uri: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:', { Ref: 'AWS::Region' }, ':dynamodb:action/PutItem']] },
    });
    expect(method('PUT').Integration.Uri['Fn::Join'][1][4]).toBe(':dynamodb:action/UpdateItem');
    const functions = Object.values(t.findResources('AWS::Lambda::Function')) as any[];
    // The only functions are the outbox's capture enrichment and its pipe-state check, both off the request path.
    expect(functions.map((f) => f.Properties.Description).sort()).toEqual([
      'Reads the state of Orders outbox pipe for its alarm',
      'Turns captured item changes from the DynamoDB stream into the events the outbox publishes',
    ]);
  });

  test('placing an order is one PutItem of a new Order at version 1, id = the request id', () => {
    const put = template('POST');
    expect(put).toContain('"TableName":"<table>"');
    expect(put).toContain('"pk":{"S":"ORDER#$context.requestId"},"sk":{"S":"ORDER"},"type":{"S":"Order"}');
    expect(put).toContain('"customerId":{"S":$input.json(\'$.customerId\')}');
    expect(put).toContain('#foreach($item in $input.path(\'$.items\'))');
    expect(put).toContain('"version":{"N":"1"}');
    expect(put).toContain('"ConditionExpression":"attribute_not_exists(pk)"');
  });

  test('changing a status is one UpdateItem that increments the version (the event sequence), only for an existing order', () => {
    const update = template('PUT');
    expect(update).toContain('"UpdateExpression":"SET #status = :status ADD #version :one"');
    expect(update).toContain('"ConditionExpression":"attribute_exists(pk)"');
    expect(update).toContain('":status":{"S":$input.json(\'$.status\')}');
    expect(method('PUT').RequestParameters).toEqual({ 'method.request.path.orderId': true });
  });

  test('every body is validated against its JSON schema model before anything is written', () => {
    t.resourceCountIs('AWS::ApiGateway::RequestValidator', 1);
    t.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    for (const verb of ['POST', 'PUT']) {
      expect(method(verb).RequestValidatorId).toEqual({ Ref: expect.stringMatching(/^Validator/) });
      expect(method(verb).AuthorizationType).toBe('AWS_IAM');
    }
    t.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'PlaceOrder',
      Schema: Match.objectLike({
        $schema: 'http://json-schema.org/draft-04/schema#',
        required: ['customerId', 'items', 'totalCents'],
        additionalProperties: false,
      }),
    });
    t.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'UpdateOrderStatus',
      Schema: Match.objectLike({ properties: { status: { type: 'string', enum: ['PAID', 'SHIPPED', 'CANCELLED'] } } }),
    });
  });

  test('the API role may only PutItem and UpdateItem on the orders table', () => {
    const roles = t.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('order API') } });
    const [roleId] = Object.keys(roles);
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId)) as any[];
    expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toEqual([{
      Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OrdersTable/), 'Arn'] },
    }]);
  });

  test('the outbox captures Order items, grouped by order id, sequenced by version', () => {
    const [pipe] = Object.values(t.findResources('AWS::Pipes::Pipe')) as any[];
    expect(JSON.parse(pipe.Properties.SourceParameters.FilterCriteria.Filters[0].Pattern))
      .toEqual({ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { type: { S: ['Order'] } } } });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ OUTBOX_CAPTURE_AGGREGATE_ID_ATTRIBUTE: 'orderId', OUTBOX_CAPTURE_SEQUENCE_ATTRIBUTE: 'version' }) },
    });
  });

  test('no unacknowledged finding under AwsSolutions, ServerlessChecks and ServerlessPatternsChecks', () => {
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks(), new ServerlessPatternsChecks()]) {
      const report = pack.validateScope(EXAMPLE_STACKS.OrderIntake());
      expect(formatFindings(report.violations)).toBe('');
      expect(report.success).toBe(true);
    }
  });
});
