export { DynamoDBCircuitBreakerTable } from './DynamoDBCircuitBreakerTable';
export { DynamoDBIdempotencyTable } from './DynamoDBIdempotencyTable';
