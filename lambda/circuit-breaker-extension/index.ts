/**
 * External Lambda extension (layer path /opt/extensions/circuit-breaker) that keeps circuit states in memory and
 * serves them on 127.0.0.1, so guarded calls do not each read DynamoDB. It shares the function's environment:
 * CIRCUIT_BREAKER_TABLE_NAME, CIRCUIT_BREAKER_EXTENSION_PORT, CIRCUIT_BREAKER_EXTENSION_CACHE_MAX_AGE_MS and
 * CIRCUIT_BREAKER_CIRCUIT_IDS (warmed at init; on every INVOKE those and the cached circuits due for a refresh are
 * read again in the background, so the function's lookups are hits).
 *
 * Lifecycle: register (INVOKE, SHUTDOWN) → listen → loop on event/next → on SHUTDOWN close and exit 0.
 */
import { basename } from 'node:path';
import { nextEvent, registerExtension } from './extensions-api';
import { CircuitStateServer } from './state-server';
import { CIRCUIT_BREAKER_DEFAULTS } from '../../lib/circuit-breaker/contract';
import { CIRCUIT_BREAKER_ENV, circuitIdsFromEnv, Environment } from '../runtime/circuit-breaker/env';
import { describeError } from '../runtime/circuit-breaker/state-source';
import type { CircuitStore } from '../runtime/circuit-breaker/store';
import { jsonLineLogger } from '../runtime/circuit-breaker/telemetry';


/** Longest the extension waits for the initial cache warm-up before finishing init, ms. */
const INIT_WARM_BUDGET_MS = 500;
/** Consecutive event/next failures after which the extension gives up (the Extensions API is local and reliable). */
const MAX_EVENT_LOOP_ERRORS = 5;

const log = jsonLineLogger;

function positiveInt(env: Environment, name: string, fallback: number): number {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    log.log('WARN', `ignoring invalid ${name}`, { value: raw, using: fallback });
    return fallback;
  }
  return value;
}

async function main(env: Environment): Promise<void> {
  const runtimeApi = env.AWS_LAMBDA_RUNTIME_API;
  if (!runtimeApi) throw new Error('AWS_LAMBDA_RUNTIME_API is not set: this extension only runs inside Lambda');
  // Lambda requires the registered name to be the file name under /opt/extensions.
  const name = basename(process.argv[1] ?? 'circuit-breaker');
  const extensionId = await registerExtension(runtimeApi, name, ['INVOKE', 'SHUTDOWN']);

  const tableName = env[CIRCUIT_BREAKER_ENV.TABLE_NAME];
  // The same store budget as the client's: a lookup that waits longer is better served by the client's own read.
  const storeTimeoutMs = positiveInt(env, CIRCUIT_BREAKER_ENV.STORE_TIMEOUT_MS, CIRCUIT_BREAKER_DEFAULTS.storeTimeoutMs);
  const store = tableName ? loadStore(tableName, storeTimeoutMs) : undefined;
  const server = new CircuitStateServer({
    store,
    maxAgeMs: positiveInt(env, CIRCUIT_BREAKER_ENV.EXTENSION_CACHE_MAX_AGE_MS, CIRCUIT_BREAKER_DEFAULTS.extensionCacheMaxAgeMs),
  });
  if (!tableName) log.log('WARN', `${CIRCUIT_BREAKER_ENV.TABLE_NAME} is not set; the extension answers 503 and functions read DynamoDB directly`, {});
  const port = positiveInt(env, CIRCUIT_BREAKER_ENV.EXTENSION_PORT, CIRCUIT_BREAKER_DEFAULTS.extensionPort);
  try {
    await server.listen(port);
    log.log('INFO', 'circuit-breaker extension listening', { port, extensionId });
  } catch (err) {
    // Keep running the event loop regardless: an extension that stops polling would fail every invoke,
    // whereas without the cache the client merely reads DynamoDB itself.
    log.log('ERROR', 'circuit-breaker extension could not listen; functions will read DynamoDB directly', { port, error: describeError(err) });
  }

  const circuitIds = circuitIdsFromEnv(env);
  // Warm before the first event/next (which ends this extension's init), so the first guarded call is a hit; but
  // never let a slow table hold up init for long.
  server.warm(circuitIds);
  await Promise.race([server.idle(), new Promise((r) => setTimeout(r, INIT_WARM_BUDGET_MS).unref())]);
  let errors = 0;
  for (;;) {
    let event;
    try {
      event = await nextEvent(runtimeApi, extensionId);
      errors = 0;
    } catch (err) {
      if (++errors >= MAX_EVENT_LOOP_ERRORS) throw err;
      log.log('WARN', 'event/next failed; retrying', { error: describeError(err), attempt: errors });
      await new Promise((r) => setTimeout(r, 50 * errors));
      continue;
    }
    if (event.eventType === 'SHUTDOWN') {
      log.log('INFO', 'circuit-breaker extension shutting down', { reason: event.shutdownReason, stats: server.stats });
      break;
    }
    // Background reads: the function's invoke must not wait for this extension's refresh.
    server.warm(circuitIds);
  }
  await server.close();
  store?.client.destroy();
}

/**
 * The DynamoDB store, loaded on demand: the bundle leaves the AWS SDK to the Lambda runtime, and if this process
 * cannot resolve it the extension must still register and poll (a crashed extension fails every invoke), answering
 * 503 so functions read DynamoDB themselves.
 */
function loadStore(tableName: string, storeTimeoutMs: number): CircuitStore | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CircuitStore: Store, defaultDynamoDbClient } = require('../runtime/circuit-breaker/store') as typeof import('../runtime/circuit-breaker/store');
    return new Store(defaultDynamoDbClient(storeTimeoutMs), tableName);
  } catch (err) {
    log.log('ERROR', 'circuit-breaker extension cannot load the AWS SDK; answering 503 so functions read DynamoDB directly', { error: describeError(err) });
    return undefined;
  }
}

main(process.env).then(
  () => process.exit(0),
  (err) => {
    log.log('ERROR', 'circuit-breaker extension failed', { error: describeError(err) });
    process.exit(1);
  },
);
