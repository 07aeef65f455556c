import { EVENT_ID_PATTERN, EventIdGenerator, eventIdTime } from '../../../../lambda/runtime/outbox/event-id';

test('ids are ULIDs that carry the time they were made at', () => {
  const id = new EventIdGenerator(() => 1_700_000_000_123).next();
  expect(id).toMatch(EVENT_ID_PATTERN);
  expect(id).toHaveLength(26);
  expect(eventIdTime(id)).toBe(1_700_000_000_123);
});

test('ids made later sort after ids made earlier, as plain strings', () => {
  let now = 1_700_000_000_000;
  const ids = new EventIdGenerator(() => now);
  const made: string[] = [];
  for (let i = 0; i < 50; i++) {
    made.push(ids.next());
    now += 1 + (i % 3);
  }
  expect([...made].sort()).toEqual(made);
});

test('ids made within one millisecond still sort in the order they were made, and differ', () => {
  const ids = new EventIdGenerator(() => 1_700_000_000_000);
  const made = Array.from({ length: 1000 }, () => ids.next());
  expect([...made].sort()).toEqual(made);
  expect(new Set(made).size).toBe(1000);
});

test('a clock that steps back does not make an id sort before an earlier one', () => {
  const times = [1_700_000_000_500, 1_700_000_000_100];
  const ids = new EventIdGenerator(() => times.shift()!);
  const first = ids.next();
  const second = ids.next();
  expect(second > first).toBe(true);
});

test('two generators (two processes) in one millisecond make different ids', () => {
  const a = new EventIdGenerator(() => 5).next();
  const b = new EventIdGenerator(() => 5).next();
  expect(a).not.toBe(b);
});

test('an id with a character outside the alphabet is not an event id', () => {
  expect(() => eventIdTime('01ARZ3NDEKTSV4RRFFQ69G5FAI')).toThrow(/is not an event id/);
});
