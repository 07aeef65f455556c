import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import type { HealthCheck, ProtectOptions } from './circuit-breaker';
import { CircuitBreakerSettings } from './settings';
import { check } from '../core/validation';

const CIRCUIT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Lambda allows five layers per function. */

export function validateSettings(scope: IConstruct, s: CircuitBreakerSettings): void {
  for (const [name, value] of [['failureThreshold', s.failureThreshold], ['successThreshold', s.successThreshold]] as const) {
    if (value === undefined) continue;
    check(Number.isInteger(value) && value >= 1, scope, `${name} ${value} is not a positive integer`, 'use an integer ≥ 1');
  }
  const open = (s.openTimeout ?? Duration.seconds(30)).toMilliseconds();
  const maxOpen = (s.maxOpenTimeout ?? Duration.minutes(5)).toMilliseconds();
  check(open >= 1000, scope, `openTimeout ${open} ms is under one second`, 'use at least 1 second: shorter only adds probes');
  check(
    maxOpen >= open,
    scope,
    `maxOpenTimeout (${maxOpen} ms) is shorter than openTimeout (${open} ms)`,
    'make maxOpenTimeout at least openTimeout: it caps the doubled open period',
  );
  check(
    s.failureWindow === undefined || s.failureCounting === 'WINDOW',
    scope,
    'failureWindow was given without failureCounting: FailureCounting.WINDOW',
    'pass failureCounting: FailureCounting.WINDOW, or drop failureWindow',
  );
  if (s.callTimeout) {
    check(s.callTimeout.toMilliseconds() >= 1, scope, 'callTimeout is zero', 'use a positive call timeout');
  }
}

export function validateCircuitIds(scope: IConstruct, circuitIds: string[]): void {
  check(circuitIds.length > 0, scope, 'no circuit ids were given', 'pass the ids of the dependencies the function guards');
  for (const id of circuitIds) {
    check(
      CIRCUIT_ID.test(id),
      scope,
      `circuit id "${id}" is not valid`,
      'use 1 to 128 letters, digits, and _ . : - (the ids travel in a comma-separated environment variable)',
    );
  }
}

export function validateProtect(
  scope: IConstruct,
  fn: lambda.IFunction,
  options: ProtectOptions,
  alreadyProtected: Set<lambda.IFunction>,
): void {
  check(
    fn instanceof lambda.Function,
    scope,
    `function ${fn.node.path} is imported, so the extension layer and environment cannot be added`,
    'protect a function defined in this app, or configure the layer and environment on it yourself',
  );
  const f = fn as lambda.Function;
  check(
    f.runtime.family === lambda.RuntimeFamily.NODEJS,
    scope,
    `function ${fn.node.path} runs ${f.runtime.name}; the runtime client and extension are for Node.js`,
    'use a Node.js runtime for protected functions',
  );
  check(!alreadyProtected.has(fn), scope, `function ${fn.node.path} is already protected`, 'call protect once per function, with all its circuit ids');
  validateCircuitIds(scope, options.circuitIds);
  check(
    new Set(options.circuitIds).size === options.circuitIds.length,
    scope,
    `circuit ids ${options.circuitIds.join(', ')} contain a duplicate`,
    'list each circuit once',
  );
}

export function validateHealthChecks(scope: IConstruct, checks: HealthCheck[], interval?: Duration): void {
  for (const c of checks) {
    check(/^https?:\/\/[^\s]+$/.test(c.url), scope, `health check URL "${c.url}" is not http(s)`, 'use an http:// or https:// URL');
    const timeout = (c.timeout ?? Duration.seconds(3)).toMilliseconds();
    check(
      timeout >= 100 && timeout <= 60_000,
      scope,
      `health check timeout ${timeout} ms for ${c.url} is outside 100 ms..60 s`,
      'use a timeout between 100 ms and 60 seconds',
    );
  }
  if (checks.length > 0) validateCircuitIds(scope, checks.map((c) => c.circuitId));
  if (interval) {
    check(
      interval.toSeconds() >= 60 && interval.toSeconds() % 60 === 0,
      scope,
      `healthCheckInterval ${interval.toHumanString()} is not a whole number of minutes ≥ 1`,
      'EventBridge schedules run at most once a minute: use whole minutes',
    );
  }
}
