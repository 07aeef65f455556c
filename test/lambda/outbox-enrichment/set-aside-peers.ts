/**
 * What the malformed-image tests of both outbox enrichments share: a set-aside queue on moto's SQS, the environment a
 * deployed enrichment runs with (the SQS endpoint pointed at moto), the enrichment's stdout lines captured per test,
 * and the EMF document the set-aside count must be. Registers its own jest hooks.
 */
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { OUTBOX_MALFORMED } from '../../../lib/transactional-outbox/contract';
import { MotoEgress, startMotoEgress } from '../rate-limited-egress/moto-egress';
import { saveHandlerEnv, setEnv } from '../runtime/idempotent-fixtures';

export interface SetAsidePeers {
  readonly moto: MotoEgress;
  readonly queueUrl: string;
  /** The lines the enrichment wrote to stdout in the current test. */
  readonly output: string[];
  /** Every message on the set-aside queue, parsed, in the order they were sent. */
  received(): Promise<any[]>;
}

export function useSetAsidePeers(queueName: string, functionName: string): SetAsidePeers {
  let moto: MotoEgress | undefined;
  let queueUrl = '';
  let restoreEnv: () => void = () => undefined;
  const output: string[] = [];
  beforeAll(async () => {
    moto = await startMotoEgress();
    queueUrl = (await moto.sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    restoreEnv = saveHandlerEnv();
    setEnv({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SESSION_TOKEN: undefined,
      AWS_ENDPOINT_URL_SQS: moto.endpoint,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
    });
  }, 60_000);
  beforeEach(() => {
    output.length = 0;
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(...String(chunk).split('\n').filter((line) => line !== ''));
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => {
    restoreEnv();
    setEnv({ AWS_ENDPOINT_URL_SQS: undefined });
    moto?.stop();
  });
  return {
    get moto() { return moto!; },
    get queueUrl() { return queueUrl; },
    output,
    async received() {
      const messages: any[] = [];
      for (;;) {
        const page = await moto!.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
        if ((page.Messages ?? []).length === 0) return messages;
        messages.push(...page.Messages!.map((m) => JSON.parse(m.Body!)));
      }
    },
  };
}

/** The EMF document counting `count` set-aside images of `functionName`. */
export function expectedMalformedMetric(functionName: string, count: number): Record<string, unknown> {
  return {
    level: 'INFO',
    _aws: {
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [{ Namespace: OUTBOX_MALFORMED.metricsNamespace, Dimensions: [['FunctionName']], Metrics: [{ Name: 'MalformedOutboxImages', Unit: 'Count' }] }],
    },
    FunctionName: functionName,
    MalformedOutboxImages: count,
  };
}
