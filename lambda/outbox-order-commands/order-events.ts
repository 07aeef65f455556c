/**
 * The events of the sample order service (the TransactionalOutbox example) and the checks every consumer runs on
 * their details. The command handler publishes them; the restaurant notifier and the order tracker consume them.
 */

/** `detail-type` of a new order. */
export const ORDER_PLACED = 'OrderPlaced';
/** `detail-type` of a cancelled order. */
export const ORDER_CANCELLED = 'OrderCancelled';

/** One line of an order. */
export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  /** Price of one unit in the order's currency. */
  readonly unitPrice: number;
}

/** Detail of an OrderPlaced event. */
export interface OrderPlaced {
  readonly orderId: string;
  readonly customerId: string;
  readonly restaurantId: string;
  readonly lines: readonly OrderLine[];
  readonly total: number;
  /** ISO 4217 code, e.g. `EUR`. */
  readonly currency: string;
}

/** Detail of an OrderCancelled event. */
export interface OrderCancelled {
  readonly orderId: string;
  readonly restaurantId: string;
  readonly reason: string;
}

/** An order command or event detail that does not have the expected shape. Retrying cannot fix it. */
export class InvalidOrderError extends Error {
  constructor(what: string, problems: string[]) {
    super(`invalid ${what}: ${problems.join('; ')}`);
    this.name = 'InvalidOrderError';
  }
}

/** Ids of orders, customers and restaurants: short enough for a DynamoDB key prefix and a FIFO message group. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;

type Fields = Record<string, unknown>;

function fieldsOf(what: string, value: unknown): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidOrderError(what, ['not an object']);
  return value as Fields;
}

function checkIds(fields: Fields, names: string[], problems: string[]): void {
  for (const name of names) {
    if (typeof fields[name] !== 'string' || !ID.test(fields[name] as string)) problems.push(`${name} must be 1 to 64 letters, digits, - or _`);
  }
}

/** Checks an OrderPlaced detail (or a place-order command) and returns it typed. */
export function orderPlacedFrom(value: unknown, what = `${ORDER_PLACED} detail`): OrderPlaced {
  const fields = fieldsOf(what, value);
  const problems: string[] = [];
  checkIds(fields, ['orderId', 'customerId', 'restaurantId'], problems);
  const lines = Array.isArray(fields.lines) ? (fields.lines as Fields[]) : [];
  if (lines.length === 0) problems.push('lines must be a non-empty array');
  lines.forEach((line, i) => {
    if (typeof line?.sku !== 'string' || line.sku === '') problems.push(`lines[${i}].sku must be a non-empty string`);
    if (!Number.isInteger(line?.quantity) || (line.quantity as number) < 1) problems.push(`lines[${i}].quantity must be a positive integer`);
    if (typeof line?.unitPrice !== 'number' || !Number.isFinite(line.unitPrice) || line.unitPrice < 0) problems.push(`lines[${i}].unitPrice must be a number ≥ 0`);
  });
  if (typeof fields.currency !== 'string' || !/^[A-Z]{3}$/.test(fields.currency)) problems.push('currency must be a 3-letter code');
  if (problems.length > 0) throw new InvalidOrderError(what, problems);
  const typedLines = lines.map((l) => ({ sku: l.sku as string, quantity: l.quantity as number, unitPrice: l.unitPrice as number }));
  return {
    orderId: fields.orderId as string,
    customerId: fields.customerId as string,
    restaurantId: fields.restaurantId as string,
    lines: typedLines,
    // Computed rather than trusted, in cents to keep 0.1 + 0.2 out of the total.
    total: typedLines.reduce((sum, l) => sum + Math.round(l.unitPrice * 100) * l.quantity, 0) / 100,
    currency: fields.currency as string,
  };
}

/** Checks an OrderCancelled detail and returns it typed. */
export function orderCancelledFrom(value: unknown): OrderCancelled {
  const fields = fieldsOf(`${ORDER_CANCELLED} detail`, value);
  const problems: string[] = [];
  checkIds(fields, ['orderId', 'restaurantId'], problems);
  if (typeof fields.reason !== 'string' || fields.reason === '') problems.push('reason must be a non-empty string');
  if (problems.length > 0) throw new InvalidOrderError(`${ORDER_CANCELLED} detail`, problems);
  return { orderId: fields.orderId as string, restaurantId: fields.restaurantId as string, reason: fields.reason as string };
}
