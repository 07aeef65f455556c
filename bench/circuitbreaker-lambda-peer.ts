/**
 * Loads the npm package `circuitbreaker-lambda` (the peer we compare with) against DynamoDB Local. It requires
 * AWS SDK v2 (`aws-sdk`), which is not installed; a small stand-in exposing the v2 `DynamoDB.DocumentClient`
 * get/update `.promise()` API on top of SDK v3 is injected in its place, so both breakers send real requests to
 * the same DynamoDB Local through clients we can count.
 */
import Module from 'node:module';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, GetCommandInput, UpdateCommand, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';

/** The peer's constructor: `new CircuitBreaker(request, options)`, then `fire()` per guarded call. */
/** Options of the peer's constructor (`timeout` is its open period, ms). */
export interface PeerOptions {
  readonly failureThreshold?: number;
  readonly successThreshold?: number;
  readonly timeout?: number;
  readonly fallback?: (() => Promise<unknown>) | null;
}

export type PeerCircuitBreaker = new (request: () => Promise<unknown>, options?: PeerOptions) => {
  fire(): Promise<unknown>;
};

/** Key under which the stand-in is planted in the require cache; never a real path. */
const SHIM_ID = '\0aws-sdk-v2-stand-in';

/**
 * Requires `circuitbreaker-lambda` with `aws-sdk` resolved to a stand-in that sends through `client`.
 * The peer reads its table and circuit id (the function name) from the environment when it loads.
 */
export function loadPeer(client: DynamoDBClient, tableName: string, circuitId: string): PeerCircuitBreaker {
  const documents = DynamoDBDocumentClient.from(client);
  class DocumentClient {
    get(params: GetCommandInput) {
      return { promise: () => documents.send(new GetCommand(params)) };
    }

    update(params: UpdateCommandInput) {
      return { promise: () => documents.send(new UpdateCommand(params)) };
    }
  }
  const standIn = { DynamoDB: { DocumentClient } };

  process.env.CIRCUITBREAKER_TABLE = tableName;
  process.env.AWS_LAMBDA_FUNCTION_NAME = circuitId;
  const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string; _cache: Record<string, unknown> };
  const resolve = loader._resolveFilename;
  loader._cache[SHIM_ID] = { id: SHIM_ID, filename: SHIM_ID, loaded: true, exports: standIn, children: [], paths: [] };
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'aws-sdk' ? SHIM_ID : resolve.call(this, request, ...rest);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('circuitbreaker-lambda') as PeerCircuitBreaker;
  } finally {
    loader._resolveFilename = resolve;
  }
}
