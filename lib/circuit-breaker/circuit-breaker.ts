import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CIRCUIT_BREAKER_DEFAULTS, CIRCUIT_BREAKER_ENV, CIRCUIT_ID_DIMENSION, CIRCUIT_TABLE, CircuitMetric, HealthCheckSpec } from './contract';
import { settingsEnvironment } from './private/settings-environment';
import {
  recordProtection, validateCallFitsFunction, validateHealthChecks, validateProtect, validateSettings,
} from './private/validation';
import { CircuitBreakerSettings } from './settings';
import { PatternAlarmOptions } from '../core/alarms';
import { PatternFunction } from '../core/pattern-function';
import { AlarmFactory } from '../core/private/alarm-factory';
import { bundledHandlerCode, bundledZipCode } from '../core/private/assets';
import { DEFAULT_MEMORY_MB, supportedNodeRuntimes } from '../core/private/function-defaults';
import { guardFunctionLimits } from '../core/private/function-limits';
import { LAMBDA } from '../core/private/limits';
import { scheduleFunction } from '../core/private/scheduled-function';
import { createTtlTable } from '../core/private/ttl-table';
import { Problems, validate, warn } from '../core/private/validation';

/** One endpoint the health checker probes on a schedule. */
export interface HealthCheck {
  /** The http(s) URL to request (GET). */
  readonly url: string;
  /** The circuit the result feeds. */
  readonly circuitId: string;
  /**
   * How long one probe may take before it counts as a failure.
   * @default Duration.seconds(3)
   */
  readonly timeout?: Duration;
  /**
   * The HTTP status a healthy endpoint answers.
   * @default - any 2xx
   */
  readonly expectStatus?: number;
}

/** Settings of the scheduled health-checker function. */
export interface HealthCheckerOptions {
  /**
   * Memory of the health checker, MB (128..10,240).
   * @default 256 (the PatternFunction default)
   */
  readonly memorySize?: number;
  /**
   * The log group the health checker writes to, e.g. one encrypted with your KMS key.
   * @default - a log group of its own, kept `logRetention`
   */
  readonly logGroup?: logs.ILogGroup;
  /**
   * How long the health checker's own log group keeps events (ignored with `logGroup`).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Concurrency reserved for the health checker, so a busy account cannot throttle the checks away.
   * @default - no reservation (the unreserved pool)
   */
  readonly reservedConcurrentExecutions?: number;
}

/** Properties of a {@link CircuitBreaker}. */
export interface CircuitBreakerProps extends CircuitBreakerSettings, PatternAlarmOptions {
  /**
   * Endpoints probed on a schedule by a health-checker function; results feed the same state machine, so a
   * circuit opens (and closes) even when no protected function is calling.
   * @default - no health checker
   */
  readonly healthChecks?: HealthCheck[];
  /**
   * How often the health checker runs.
   * @default Duration.minutes(1)
   */
  readonly healthCheckInterval?: Duration;
  /**
   * Memory, log group and reserved concurrency of the health checker (only with `healthChecks`).
   * @default - PatternFunction defaults
   */
  readonly healthChecker?: HealthCheckerOptions;
  /**
   * What happens to the circuit table when it leaves the stack. Circuit state is rebuilt from traffic, and items
   * expire by TTL, so nothing of lasting value is lost.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Options of {@link CircuitBreaker.protect}. */
export interface ProtectOptions {
  /** The circuits (dependencies) the function guards. The first is the client's default circuit. */
  readonly circuitIds: string[];
}

/** What {@link CircuitBreaker.protect} gave a function. */
export interface CircuitProtection {
  /** The circuits the function guards, the client's default first. */
  readonly circuitIds: string[];
  /** GetItem, PutItem and UpdateItem on the circuit table, on the items of these circuits only. */
  readonly grant: iam.Grant;
  /** The "circuit opened" alarm of each circuit, in the order of `circuitIds` (shared by every function guarding it). */
  readonly openedAlarms: cloudwatch.IAlarm[];
}


/** Room in the health checker's timeout after its slowest check, for the circuit writes (well above the 1 s call margin). */
const HEALTH_CHECKER_TIMEOUT_ROOM_MS = 10_000;

/**
 * How long a scheduled health check may wait in Lambda's asynchronous queue: one interval (the next check replaces
 * it), within what Lambda accepts.
 */
function healthCheckEventAge(interval: Duration | undefined): Duration {
  const seconds = (interval ?? Duration.minutes(1)).toSeconds();
  const { min, max } = LAMBDA.asyncMaxEventAgeSeconds;
  return Duration.seconds(Math.min(max, Math.max(min, seconds)));
}

/**
 * The id of a circuit's "opened" alarm, derived from the circuit id so it does not depend on the order of protect()
 * calls: adding a circuit never renames (and so never replaces) the alarm of another. Circuit ids are validated to
 * `A-Za-z0-9_.:-`, all valid in a construct id, and the mapping is one-to-one. The logical id keeps the letters and
 * digits and adds a hash of the full path, so circuits differing only in punctuation (`a-b`, `a.b`) still differ.
 */
function openedAlarmId(circuitId: string): string {
  return `Opened${circuitId}Alarm`;
}

/**
 * Circuit breaker whose state lives in DynamoDB (one item per dependency, shared by every execution environment
 * of every protected function) and is cached by a Lambda extension, so a guarded call pays no DynamoDB read.
 *
 * States: CLOSED (calls pass), OPEN (calls fail fast), HALF_OPEN (exactly one probe, elected fleet-wide by a
 * conditional write). `protect(fn, { circuitIds })` adds the extension layer, the settings as environment
 * variables, and item-level grants on the table; the runtime client (`cdk-serverless-patterns/runtime`,
 * `CircuitBreaker`) reads them.
 */
export class CircuitBreaker extends Construct {
  /** The circuit table: pk `id`, TTL `expiration`, on-demand, PITR. */
  public readonly table: dynamodb.TableV2;
  /** The extension layer (Node.js runtimes, either architecture). */
  public readonly extensionLayer: lambda.LayerVersion;
  /** The scheduled health checker, when health checks were given. */
  public readonly healthChecker?: PatternFunction;
  /** Where EventBridge puts schedule events it could not deliver to the health checker (with health checks). */
  public readonly healthCheckDeadLetterQueue?: sqs.IQueue;
  private readonly settingsEnv: Record<string, string>;
  private readonly alarmFactory: AlarmFactory;
  private readonly openedAlarms = new Map<string, cloudwatch.IAlarm>();
  private readonly namespace: string;
  private readonly callTimeoutMs: number;

  constructor(scope: Construct, id: string, props: CircuitBreakerProps = {}) {
    super(scope, id);
    const problems = new Problems(this);
    validateSettings(problems, props);
    validateHealthChecks(problems, props.healthChecks ?? [], props.healthCheckInterval);
    problems.check(
      props.healthChecker === undefined || (props.healthChecks ?? []).length > 0,
      'CircuitBreaker.HealthCheckerWithoutChecks',
      'healthChecker options were given without healthChecks, so no health checker is created',
      'add healthChecks, or drop healthChecker',
    );
    problems.throwIfAny();
    this.settingsEnv = settingsEnvironment(props);
    this.namespace = props.metricsNamespace ?? CIRCUIT_BREAKER_DEFAULTS.metricsNamespace;
    this.callTimeoutMs = props.callTimeout?.toMilliseconds() ?? CIRCUIT_BREAKER_DEFAULTS.callTimeoutMs;
    this.alarmFactory = new AlarmFactory(props);

    this.table = createTtlTable(this, 'Table', {
      partitionKey: CIRCUIT_TABLE.partitionKey,
      timeToLiveAttribute: CIRCUIT_TABLE.timeToLiveAttribute,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.extensionLayer = new lambda.LayerVersion(this, 'ExtensionLayer', {
      // The extension must keep its executable bit: shipped as a zip with fixed modes, not the deploying machine's.
      code: bundledZipCode('circuit-breaker-extension'),
      description: 'Caches circuit-breaker state from DynamoDB and serves it on localhost',
      // Node 20 up to the newest runtime the installed aws-cdk-lib knows: the extension is a Node 20 bundle.
      compatibleRuntimes: supportedNodeRuntimes(),
      compatibleArchitectures: [lambda.Architecture.ARM_64, lambda.Architecture.X86_64],
    });

    const checks = props.healthChecks ?? [];
    if (checks.length > 0) {
      const { fn, deadLetterQueue } = this.createHealthChecker(checks, props.healthCheckInterval, props.healthChecker ?? {}, props.alarmAction);
      this.healthChecker = fn;
      this.healthCheckDeadLetterQueue = deadLetterQueue;
    }
  }

  /** Every alarm created so far (one per circuit: the circuit opened). */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmFactory.alarms;
  }

  /**
   * Guards `fn`: attaches the extension layer, sets the table, circuit ids and settings as environment variables,
   * and grants GetItem/PutItem/UpdateItem on the items of these circuits only (`dynamodb:LeadingKeys`).
   *
   * A function is protected by one CircuitBreaker, once: list all the circuits it calls in one protect call. Its
   * timeout must exceed `callTimeout` by at least a second, so a call that hangs is counted before Lambda ends the
   * invocation.
   */
  public protect(fn: lambda.Function, options: ProtectOptions): CircuitProtection {
    validate(this, (problems) => validateProtect(problems, fn, options, { extensionLayer: this.extensionLayer, callTimeoutMs: this.callTimeoutMs }));
    try {
      fn.addLayers(this.extensionLayer);
    } catch (err) {
      // The runtime was checked in validateProtect, so this is aws-cdk-lib refusing a sixth layer.
      validate(this, (problems) => problems.add(
        'CircuitBreaker.LayerLimit',
        `the extension layer cannot be added to function ${fn.node.path} (${(err as Error).message})`,
        'keep protected functions below the Lambda limit of 5 layers (the breaker adds one)',
      ));
    }
    const extensionPort = { [CIRCUIT_BREAKER_ENV.EXTENSION_PORT]: String(CIRCUIT_BREAKER_DEFAULTS.extensionPort) };
    const protection = this.configure(fn, options.circuitIds, extensionPort);
    recordProtection(this, fn);
    return protection;
  }

  /**
   * Transitions of `circuitId` into OPEN (CLOSED → OPEN, or a failed probe), summed per minute: calls to the dependency
   * are failing fast. The circuit's "opened" alarm watches this metric.
   */
  public metricCircuitOpened(circuitId: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.transitionMetric(CircuitMetric.OPENED, circuitId, props);
  }

  /** Transitions of `circuitId` into HALF_OPEN (a prober was elected), summed per minute. */
  public metricCircuitHalfOpened(circuitId: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.transitionMetric(CircuitMetric.HALF_OPENED, circuitId, props);
  }

  /** Transitions of `circuitId` back to CLOSED (the dependency recovered), summed per minute. */
  public metricCircuitClosed(circuitId: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.transitionMetric(CircuitMetric.CLOSED, circuitId, props);
  }

  /**
   * A transition metric the runtime emits (embedded metric format) under the names and dimension of the contract, which
   * both sides import: typed `metricCircuitXxx()` methods are the only way users reach them.
   */
  private transitionMetric(metricName: CircuitMetric, circuitId: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: { [CIRCUIT_ID_DIMENSION]: circuitId },
      statistic: 'Sum',
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** Circuit ids were validated where they entered (protect options, health checks). */
  private configure(fn: lambda.Function, circuitIds: string[], extra: Record<string, string>): CircuitProtection {
    const env = {
      ...this.settingsEnv,
      [CIRCUIT_BREAKER_ENV.TABLE_NAME]: this.table.tableName,
      [CIRCUIT_BREAKER_ENV.CIRCUIT_IDS]: circuitIds.join(','),
      ...extra,
    };
    for (const [key, value] of Object.entries(env)) fn.addEnvironment(key, value);
    // The breaker adds a layer and environment variables: the function must still fit Lambda's limits.
    guardFunctionLimits(fn);
    const memory = (fn.node.defaultChild as lambda.CfnFunction).memorySize;
    if (typeof memory === 'number' && memory < DEFAULT_MEMORY_MB) {
      warn(this, 'ProtectedFunctionMemory', `function ${fn.node.path} has ${memory} MB; a protected function also runs the ` +
        `extension process (about 60 MB resident, as much as a handler process): use at least ${DEFAULT_MEMORY_MB} MB`);
    }
    const grant = iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
      // Each function touches only the items of the circuits it guards.
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': circuitIds } },
    });
    this.alarmOnStoreUnavailable();
    return { circuitIds: [...circuitIds], grant, openedAlarms: circuitIds.map((circuitId) => this.alarmOnOpen(circuitId)) };
  }

  /**
   * Requests to the circuit table that failed (refused, throttled or timed out), summed per minute over every circuit
   * of this construct's namespace: while they fail, calls run unguarded (or fail, with `FAIL_CLOSED`) and failures
   * are not counted. The construct's "store unavailable" alarm watches this metric.
   */
  public metricStoreUnavailable(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: CircuitMetric.STORE_UNAVAILABLE,
      statistic: 'Sum',
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** One alarm per construct, created with its first protected function: a store outage must not be silent. */
  private alarmOnStoreUnavailable(): void {
    if (this.node.tryFindChild('StoreUnavailableAlarm')) return;
    this.alarmFactory.threshold(this, 'StoreUnavailableAlarm', {
      description: 'The circuit-breaker table refused or did not answer requests: calls are not guarded and failures are not counted',
      metric: this.metricStoreUnavailable(),
      threshold: 1,
    });
  }

  private alarmOnOpen(circuitId: string): cloudwatch.IAlarm {
    const existing = this.openedAlarms.get(circuitId);
    if (existing) return existing;
    const alarm = this.alarmFactory.threshold(this, openedAlarmId(circuitId), {
      description: `Circuit ${circuitId} opened: calls to this dependency are failing fast`,
      metric: this.metricCircuitOpened(circuitId),
      threshold: 1,
    });
    this.openedAlarms.set(circuitId, alarm);
    return alarm;
  }

  private createHealthChecker(
    checks: HealthCheck[],
    interval: Duration | undefined,
    options: HealthCheckerOptions,
    alarmAction: cloudwatch.IAlarmAction | undefined,
  ): { fn: PatternFunction; deadLetterQueue: sqs.IQueue } {
    const timeoutMsOf = (c: HealthCheck) => c.timeout?.toMilliseconds() ?? CIRCUIT_BREAKER_DEFAULTS.healthCheckTimeoutMs;
    const longest = Math.max(...checks.map(timeoutMsOf));
    const fn = new PatternFunction(this, 'HealthChecker', {
      memorySize: options.memorySize,
      logGroup: options.logGroup,
      logRetention: options.logRetention,
      reservedConcurrentExecutions: options.reservedConcurrentExecutions,
      code: bundledHandlerCode('circuit-health-checker'),
      handler: 'index.handler',
      description: 'Probes dependency endpoints and feeds the circuit-breaker state machine',
      // Checks run in parallel; leave room for the slowest probe plus the DynamoDB writes.
      timeout: Duration.millis(longest + HEALTH_CHECKER_TIMEOUT_ROOM_MS),
      invokedAsynchronously: true,
      alarmAction,
      // A scheduled probe that failed is replaced by the next one; retrying it would only add stale results.
      retryAttempts: 0,
      // EventBridge hands each scheduled event to Lambda's asynchronous queue; when the checker is throttled, Lambda
      // keeps retrying it there for up to maxEventAge (6 hours by default), then sends it to the on-failure queue
      // (alarmed). A check older than one interval is superseded by the next, so it expires after one interval.
      // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
      maxEventAge: healthCheckEventAge(interval),
    });
    // Each check is a guarded call bounded by its own timeout (not callTimeout): the same rule as protect() applies.
    validate(this, (problems) => validateCallFitsFunction(problems, fn, longest, 'the longest health check timeout'));
    // Nothing may protect the checker again: a second breaker would overwrite its table and circuit ids.
    recordProtection(this, fn);
    fn.addEnvironment(
      CIRCUIT_BREAKER_ENV.HEALTH_CHECKS,
      JSON.stringify(
        checks.map((c): HealthCheckSpec => ({
          url: c.url,
          circuitId: c.circuitId,
          timeoutMs: timeoutMsOf(c),
          ...(c.expectStatus !== undefined ? { expectStatus: c.expectStatus } : {}),
        })),
      ),
    );
    this.configure(fn, [...new Set(checks.map((c) => c.circuitId))], {});
    this.alarmOnStoreUnavailable();
    const { deadLetterQueue } = scheduleFunction(this, 'HealthCheck', fn, interval ?? Duration.minutes(1), {
      rule: 'Runs the circuit-breaker health checks',
      deadLetterQueue: 'Health check schedule dead-letter queue',
      notRunning: 'EventBridge failed to invoke the circuit-breaker health checker: health checks are not running',
    }, this.alarmFactory);
    return { fn, deadLetterQueue };
  }
}
