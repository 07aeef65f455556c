/**
 * Time-sortable event ids: ULIDs (26 Crockford base32 characters, 48 bits of millisecond time then 80 random bits).
 * Ids made later sort after ids made earlier, as plain strings; ids made by one generator within one millisecond
 * still sort in the order they were made, because the random part is incremented instead of drawn again.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
/** The largest time a ULID holds (2^48 - 1 ms, in the year 10889). */
const MAX_TIME = 2 ** 48 - 1;

/** A ULID: 26 characters from the Crockford base32 alphabet. */
export const EVENT_ID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** Returns the current time in epoch milliseconds. */
export type MillisClock = () => number;

/** Makes time-sortable ids; keep one per process so ids within a millisecond stay ordered. */
export class EventIdGenerator {
  private lastTime = -1;
  private lastRandom: number[] = [];

  constructor(private readonly now: MillisClock = Date.now) {}

  /** A new id, greater than every id this generator made before. */
  public next(): string {
    let time = this.now();
    if (!Number.isInteger(time) || time < 0 || time > MAX_TIME) throw new Error(`event id: time ${time} is not a valid epoch millisecond`);
    // A clock that steps back keeps the last time, so ids never sort before earlier ones.
    if (time <= this.lastTime) {
      time = this.lastTime;
      this.lastRandom = increment(this.lastRandom);
    } else {
      this.lastTime = time;
      this.lastRandom = [...randomBytes(RANDOM_CHARS)].map((b) => b % 32);
    }
    return encodeTime(time) + this.lastRandom.map((digit) => ALPHABET[digit]).join('');
  }
}

/** The time (epoch milliseconds) an event id was made at. */
export function eventIdTime(id: string): number {
  if (!EVENT_ID_PATTERN.test(id)) throw new Error(`'${id}' is not an event id (a ULID)`);
  let time = 0;
  for (const char of id.slice(0, TIME_CHARS)) time = time * 32 + ALPHABET.indexOf(char);
  return time;
}

/** The lowest and highest event ids made from `fromMs` to `toMs` (inclusive): ids sort by time, then randomness. */
export function eventIdRange(fromMs: number, toMs: number): [string, string] {
  return [encodeTime(Math.max(0, Math.floor(fromMs))) + '0'.repeat(RANDOM_CHARS), encodeTime(Math.floor(toMs)) + 'Z'.repeat(RANDOM_CHARS)];
}

function encodeTime(time: number): string {
  let rest = time;
  let out = '';
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** Adds one to a base-32 number given as digits, most significant first. */
function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i] < 31) {
      next[i]++;
      return next;
    }
    next[i] = 0;
  }
  // 2^80 ids in one millisecond: not reachable in practice, but never wrap into a smaller id.
  throw new Error('event id: random part exhausted within one millisecond');
}
