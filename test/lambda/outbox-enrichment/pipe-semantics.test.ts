/**
 * The pipe-semantics model checked against the examples of the EventBridge user guide: "Event patterns"
 * (matching, arrays), "Comparison operators" (prefix, exists), "Event filtering in Pipes" (DynamoDB stream records),
 * and "Pipes input transformation" (JSON paths, templates).
 */
import { applyInputTemplate, matchesPattern, targetParameter, valueAtPath } from './pipe-semantics';

const ec2Event = {
  'source': 'aws.ec2',
  'detail-type': 'EC2 Instance State-change Notification',
  'time': '2017-10-02T16:24:49Z',
  'resources': ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'],
  'detail': { 'instance-id': 'i-b188560f', 'state': 'pending' },
};

test.each([
  ['exact values on several fields (AND)', { 'source': ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] }, true],
  ['one field that differs', { 'source': ['aws.ec2'], 'detail-type': ['Something else'] }, false],
  ['any listed value (OR)', { source: ['aws.s3', 'aws.ec2'] }, true],
  ['nested fields', { detail: { state: ['pending'] } }, true],
  ['an event array matches when any element does', { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }, true],
  ['prefix', { time: [{ prefix: '2017-10-02' }] }, true],
  ['prefix that does not match', { time: [{ prefix: '2017-10-03' }] }, false],
  ['exists: true on a present field', { detail: { state: [{ exists: true }] } }, true],
  ['exists: false on an absent field', { detail: { 'c-count': [{ exists: false }] } }, true],
  ['exists: true on an absent field', { detail: { 'c-count': [{ exists: true }] } }, false],
  ['a field absent from the event', { region: ['us-east-1'] }, false],
  ['a leaf rule against an object value', { detail: ['pending'] }, false],
])('event patterns: %s', (_name, pattern, matches) => {
  expect(matchesPattern(pattern, ec2Event)).toBe(matches);
});

test('Pipes filtering of DynamoDB stream records: on the event name and on typed key values', () => {
  const record = {
    eventName: 'INSERT',
    dynamodb: { Keys: { CustomerName: { S: 'AnyCompany Industries' } }, NewImage: { CustomerName: { S: 'AnyCompany Industries' } } },
  };
  expect(matchesPattern({ eventName: ['INSERT'] }, record)).toBe(true);
  expect(matchesPattern({ eventName: ['MODIFY', 'REMOVE'] }, record)).toBe(false);
  expect(matchesPattern({ dynamodb: { Keys: { CustomerName: { S: ['AnyCompany Industries'] } } } }, record)).toBe(true);
  expect(matchesPattern({ dynamodb: { Keys: { CustomerName: { S: [{ prefix: 'AnyCompany' }] } } } }, record)).toBe(true);
  expect(matchesPattern({ dynamodb: { Keys: { CustomerName: { N: [{ prefix: 'AnyCompany' }] } } } }, record)).toBe(false);
});

test('JSON paths and dynamic parameters (with implicit body parsing of an SQS body)', () => {
  const sqsRecord = { body: '{"a":1,"key":"value"}', attributes: { SenderId: 'AIDA123' }, Records: [{ x: 1 }, { x: 2 }] };
  expect(valueAtPath('$.attributes.SenderId', sqsRecord)).toBe('AIDA123');
  expect(valueAtPath('$.Records[1]', sqsRecord)).toEqual({ x: 2 });
  expect(valueAtPath('$.missing.deeper', sqsRecord)).toBeUndefined();
  expect(targetParameter('$.attributes.SenderId', sqsRecord)).toBe('AIDA123');
  expect(targetParameter('static-source', sqsRecord)).toBe('static-source');
  expect(targetParameter('$.body.key', sqsRecord)).toBe('value');
  expect(targetParameter('$.body.key', { body: 'not json' })).toBeUndefined();
});

describe('input templates, as the guide\'s examples specify them', () => {
  const sqsRecord = { body: '{"key": "value"}', attributes: { SenderId: 'AIDA123' }, Records: [{ x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }] };

  test('static string, JSON path to a string, dynamic string', () => {
    expect(applyInputTemplate('Hello, sender', sqsRecord)).toBe('Hello, sender');
    expect(applyInputTemplate('<$.attributes.SenderId>', sqsRecord)).toBe('AIDA123');
    expect(applyInputTemplate('Hello, <$.attributes.SenderId>', sqsRecord)).toBe('Hello, AIDA123');
  });

  test('implicit body data parsing: a lone <$.body> on a JSON body loses its inner quotes ("{key: value}")', () => {
    // The guide's example keeps the body's own spacing; the quotes are what matters.
    expect(applyInputTemplate('<$.body>', sqsRecord)).toBe('{key:value}');
    expect(applyInputTemplate('Body is <$.body>', sqsRecord)).toBe('Body is {key:value}');
  });

  test('wrapped in a JSON object, the body arrives as JSON', () => {
    expect(applyInputTemplate('{"body": <$.body>}', sqsRecord)).toEqual({ body: { key: 'value' } });
    expect(applyInputTemplate('{"key1": "value1", "key2": <$.body.key>, "r": <$.Records[3]>}', sqsRecord))
      .toEqual({ key1: 'value1', key2: 'value', r: { x: 4 } });
  });

  test('strings are quoted for you (quotes permitted), objects and arrays are not; a missing path is left out', () => {
    expect(applyInputTemplate('{"a": <$.attributes.SenderId>, "b": "<$.attributes.SenderId>", "c": <$.missing>}', sqsRecord))
      .toEqual({ a: 'AIDA123', b: 'AIDA123' });
    expect(applyInputTemplate('{"records": <$.Records>}', sqsRecord)).toEqual({ records: sqsRecord.Records });
  });

  test('the guide\'s transformer example on its EC2 sample event', () => {
    const transformer = '{\n  "instance" : <$.detail.instance-id>,\n  "state": <$.detail.state>\n}';
    expect(applyInputTemplate(transformer, ec2Event)).toEqual({ instance: 'i-b188560f', state: 'pending' });
  });

  test('a lone path to an object (the output the guide does not give as JSON) is never an object', () => {
    expect(typeof applyInputTemplate('<$.detail>', ec2Event)).toBe('string');
    expect(applyInputTemplate('<$.detail>', ec2Event)).not.toContain('"');
  });
});
