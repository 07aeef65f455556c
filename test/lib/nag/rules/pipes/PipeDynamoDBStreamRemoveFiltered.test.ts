import { outboxParts, pipe } from './fixtures';
import { PipeDynamoDBStreamRemoveFiltered as rule } from '../../../../../lib/nag/rules/pipes';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

const filtered = (...patterns: object[]) => ({
  dynamoDbStreamParameters: { startingPosition: 'TRIM_HORIZON' },
  filterCriteria: { filters: patterns.map((p) => ({ pattern: JSON.stringify(p) })) },
});

test('a TTL table published to a bus without a filter excluding REMOVE is reported', () => {
  const s = stack();
  const { table, bus, role } = outboxParts(s);
  const source = table.tableStreamArn!;
  pipe(s, 'Unfiltered', source, bus.eventBusArn, { dynamoDbStreamParameters: { startingPosition: 'TRIM_HORIZON' } }, role.roleArn);
  pipe(s, 'OtherFilter', source, bus.eventBusArn, filtered({ dynamodb: { NewImage: { type: { S: ['order'] } } } }), role.roleArn);
  pipe(s, 'OneFilterLetsThrough', source, bus.eventBusArn, filtered({ eventName: ['INSERT'] }, { eventName: ['REMOVE'] }), role.roleArn);
  pipe(s, 'InsertOnly', source, bus.eventBusArn, filtered({ eventName: ['INSERT'] }), role.roleArn);
  pipe(s, 'AnythingButRemove', source, bus.eventBusArn, filtered({ eventName: [{ 'anything-but': ['REMOVE'] }] }), role.roleArn);
  expect(findings(rule, s)).toEqual([
    'SPC-PIP3[RemoveEvents]  S/OneFilterLetsThrough',
    'SPC-PIP3[RemoveEvents]  S/OtherFilter',
    'SPC-PIP3[RemoveEvents]  S/Unfiltered',
  ]);
});

test('without TTL on the table, REMOVE records are business deletions: compliant', () => {
  const s = stack();
  const { table, bus, role } = outboxParts(s, { ttl: false });
  pipe(s, 'Cdc', table.tableStreamArn!, bus.eventBusArn, { dynamoDbStreamParameters: { startingPosition: 'LATEST' } }, role.roleArn);
  expect(findings(rule, s)).toEqual([]);
});

test('a filter the rule cannot evaluate, an imported table and a queue target are not applicable', () => {
  const s = stack();
  const { table, bus, role } = outboxParts(s);
  const numeric = pipe(s, 'Numeric', table.tableStreamArn!, bus.eventBusArn, filtered({ eventName: [{ numeric: ['>', 0] }] }), role.roleArn);
  expect(resultOn(rule, numeric)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  const imported = pipe(s, 'Imported', 'arn:aws:dynamodb:us-east-1:111111111111:table/T/stream/x', bus.eventBusArn,
    { dynamoDbStreamParameters: { startingPosition: 'LATEST' } }, role.roleArn);
  expect(resultOn(rule, imported)).toBe(NagRuleCompliance.COMPLIANT); // starting position set; TTL unknown, so not judged
  const toQueue = pipe(s, 'ToQueue', table.tableStreamArn!, 'arn:aws:sqs:us-east-1:111111111111:q', { dynamoDbStreamParameters: { startingPosition: 'LATEST' } }, role.roleArn);
  expect(resultOn(rule, toQueue)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
