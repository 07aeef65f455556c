import { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CIRCUIT_ID_DIMENSION, CircuitMetric } from '../../../lambda/runtime/circuit-breaker/telemetry';
import { CircuitBreaker, PatternFunction } from '../../../lib';
import { INLINE_CODE, newStack } from '../../support/cdk';
import { userAlarmOn, watchedMetric } from '../../support/metrics';

const fnProps = { code: INLINE_CODE, handler: 'index.handler' };

describe('CircuitBreaker.protect returns what it gave the function', () => {
  const stack = newStack();
  const breaker = new CircuitBreaker(stack, 'Breaker', { metricsNamespace: 'Shop/Breakers' });
  const caller = new PatternFunction(stack, 'Caller', fnProps);
  const other = new PatternFunction(stack, 'Other', fnProps);
  const protection = breaker.protect(caller, { circuitIds: ['payments-api', 'fx-api'] });
  const second = breaker.protect(other, { circuitIds: ['fx-api'] });

  test('the circuits, a grant on the table scoped to their items, and one opened alarm per circuit', () => {
    expect(protection.circuitIds).toEqual(['payments-api', 'fx-api']);
    expect(protection.grant.success).toBe(true);
    expect(protection.grant.principalStatements).toHaveLength(1);
    const statement = stack.resolve(protection.grant.principalStatements[0].toStatementJson());
    expect(statement).toEqual({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      Resource: { 'Fn::GetAtt': [stack.getLogicalId(breaker.table.node.defaultChild as CfnElement), 'Arn'] },
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['payments-api', 'fx-api'] } },
    });
    expect(protection.openedAlarms.map((a) => watchedMetric(stack, a).Dimensions)).toEqual([
      [{ Name: 'CircuitId', Value: 'payments-api' }],
      [{ Name: 'CircuitId', Value: 'fx-api' }],
    ]);
    // A circuit guarded by two functions has one alarm, returned to both.
    expect(second.openedAlarms[0]).toBe(protection.openedAlarms[1]);
    // Two circuits and the store (one alarm per construct, on the metric metricStoreUnavailable returns).
    expect(breaker.alarms).toHaveLength(3);
    // A user's alarm on metricStoreUnavailable() watches what the construct's alarm watches.
    const watched = breaker.alarms.map((alarm) => watchedMetric(stack, alarm)).find((w) => w.MetricName === 'StoreUnavailable');
    expect(userAlarmOn(stack, 'UserStoreAlarm', breaker.metricStoreUnavailable())).toEqual(watched);
  });

  test('the grant lands in the function role\'s policy', () => {
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(caller.role!.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['payments-api', 'fx-api'] } } })]) },
    });
  });
});

test('metricCircuitOpened: a user alarm watches what the construct\'s opened alarm watches; the other transitions differ only in name', () => {
  const stack = newStack();
  const breaker = new CircuitBreaker(stack, 'Breaker', { metricsNamespace: 'Shop/Breakers' });
  const { openedAlarms } = breaker.protect(new PatternFunction(stack, 'Caller', fnProps), { circuitIds: ['payments-api'] });
  const opened = userAlarmOn(stack, 'MyOpened', breaker.metricCircuitOpened('payments-api'));
  expect(opened).toEqual({
    Namespace: 'Shop/Breakers',
    MetricName: 'CircuitOpened',
    Dimensions: [{ Name: 'CircuitId', Value: 'payments-api' }],
    Statistic: 'Sum',
    Period: 60,
  });
  expect(watchedMetric(stack, openedAlarms[0])).toEqual(opened);
  // The names the runtime emits: rename one side and the alarm would watch nothing.
  expect([opened.MetricName, (opened.Dimensions as { Name: string }[])[0].Name]).toEqual([CircuitMetric.OPENED, CIRCUIT_ID_DIMENSION]);
  expect(userAlarmOn(stack, 'MyHalfOpened', breaker.metricCircuitHalfOpened('payments-api'))).toEqual({ ...opened, MetricName: CircuitMetric.HALF_OPENED });
  expect(userAlarmOn(stack, 'MyClosed', breaker.metricCircuitClosed('payments-api'))).toEqual({ ...opened, MetricName: CircuitMetric.CLOSED });
});
