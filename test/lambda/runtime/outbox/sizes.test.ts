import { attributeValueBytes, eventEntryBytes, itemBytes } from '../../../../lambda/runtime/outbox/sizes';

// Vectors from the rules in "Item sizes and formats" (DynamoDB developer guide): strings are their UTF-8 length,
// numbers about one byte per two significant digits plus one (exactly: see sizes.ts), binary its length, null and booleans one byte, lists
// and maps three bytes plus one per element. DynamoDB Local confirms the sums (every number form included) at
// the 1 KB and 400 KB boundaries in outbox.dynamodb.test.ts.
test.each([
  ['a string is its UTF-8 length', { S: 'abc' }, 3],
  ['a multi-byte string', { S: 'é€' }, 5],
  ['a one-digit number', { N: '7' }, 2],
  ['leading and trailing zeros are trimmed (120.5: pairs 01|20|50)', { N: '000120.500' }, 4],
  ['digit pairs are aligned on the decimal point (1.5: pairs 01|50)', { N: '1.5' }, 3],
  ['zero is one byte', { N: '0' }, 1],
  ['a negative number has a terminator byte', { N: '-12345' }, 5],
  ['except with 20 pairs', { N: '-1.2345678901234567890123456789012345678' }, 21],
  ['binary is its length', { B: new Uint8Array(10) }, 10],
  ['a boolean', { BOOL: true }, 1],
  ['null', { NULL: true }, 1],
  ['an empty list', { L: [] }, 3],
  ['a list: 3 bytes plus 1 per element', { L: [{ S: 'ab' }, { BOOL: false }] }, 3 + 1 + 2 + 1 + 1],
  ['a map: names count too', { M: { a: { S: 'xyz' } } }, 3 + 1 + 1 + 3],
  ['a string set', { SS: ['a', 'bc'] }, 3],
])('%s', (_name, value, bytes) => {
  expect(attributeValueBytes(value as any)).toBe(bytes);
});

test('an item counts its attribute names', () => {
  expect(itemBytes({ pk: { S: 'ORDER#1' }, total: { N: '42' } })).toBe(2 + 7 + 5 + 2);
});

test('an EventBridge entry counts time (14 bytes), source, detail-type, detail and resources', () => {
  expect(eventEntryBytes({ source: 'com.example', detailType: 'Placed', detail: '{"a":1}', resources: ['r1'], hasTime: true }))
    .toBe(14 + 11 + 6 + 7 + 2);
  expect(eventEntryBytes({ source: 's', detailType: 'd', detail: '{}', resources: [], hasTime: false })).toBe(4);
});
