/**
 * The local AWS peers of the buffered egress path that DynamoDB Local does not cover, from moto (the pinned
 * virtualenv the model-sync tests use): an SQS buffer with a dead-letter queue and a redrive policy, and a Lambda
 * event source mapping whose Enabled state the runtime switches through the Lambda API.
 */
import { join } from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startMotoServer } from '../../support/moto-server';

const ROOT = join(__dirname, '..', '..', '..');
const REQUIREMENTS = join(ROOT, 'test', 'lambda', 'efs-model-sync', 'moto', 'requirements.txt');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** moto answers unsigned requests; the authorization header only names the service for its router. */
const routed = (service: string) => ({ authorization: `AWS4-HMAC-SHA256 Credential=local/20300101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0` });

export interface MotoBuffer {
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly mappingId: string;
  readonly functionName: string;
  readonly mappedQueueArn: string;
}

export interface MotoEgress {
  readonly endpoint: string;
  readonly sqs: SQSClient;
  /** A buffer queue with a DLQ after `maxReceiveCount` receives, and an event source mapping for it. */
  buffer(name: string, maxReceiveCount: number): Promise<MotoBuffer>;
  send(queueUrl: string, bodies: string[]): Promise<void>;
  /** Visible + in flight + delayed messages of a queue. */
  depth(queueUrl: string): Promise<number>;
  stop(): void;
}

export async function startMotoEgress(): Promise<MotoEgress> {
  const { endpoint, stop: stopServer } = await startMotoServer({ name: 'moto-s3', requirements: REQUIREMENTS });
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  const post = async (service: string, path: string, body: string, contentType: string) => {
    const res = await fetch(`${endpoint}${path}`, { method: 'POST', headers: { ...routed(service), 'content-type': contentType }, body });
    const text = await res.text();
    if (!res.ok) throw new Error(`moto ${service} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text.startsWith('<') ? '{}' : text) : {};
  };
  await post('iam', '/', new URLSearchParams({ Action: 'CreateRole', RoleName: 'delivery', AssumeRolePolicyDocument: '{}', Version: '2010-05-08' }).toString(),
    'application/x-www-form-urlencoded');
  const attribute = async (queueUrl: string, name: string) =>
    ((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [name as any] }))).Attributes as
      Record<string, string> | undefined)?.[name];
  return {
    endpoint,
    sqs,
    buffer: async (name, maxReceiveCount) => {
      const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
      const dlqArn = await attribute(dlqUrl, 'QueueArn');
      const queueUrl = (await sqs.send(new CreateQueueCommand({
        QueueName: name,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }) },
      }))).QueueUrl!;
      // The mapping is attached to a queue nobody sends to: moto would otherwise try to run the function itself.
      const anchorUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-mapping-anchor` }))).QueueUrl!;
      const mappedQueueArn = (await attribute(anchorUrl, 'QueueArn'))!;
      const fn = `${name}-delivery`;
      await post('lambda', '/2015-03-31/functions', JSON.stringify({
        FunctionName: fn,
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::123456789012:role/delivery',
        Handler: 'index.handler',
        Code: { ZipFile: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' },
      }), 'application/json');
      const mapping = await post('lambda', '/2015-03-31/event-source-mappings', JSON.stringify({
        FunctionName: fn, EventSourceArn: mappedQueueArn, BatchSize: 10,
      }), 'application/json');
      return { queueUrl, dlqUrl, mappingId: mapping.UUID, functionName: fn, mappedQueueArn };
    },
    send: async (queueUrl, bodies) => {
      for (let i = 0; i < bodies.length; i += 10) {
        await sqs.send(new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
        }));
      }
    },
    depth: async (queueUrl) => {
      const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
      const a = out.Attributes ?? {};
      return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
        Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
    },
    stop: () => {
      sqs.destroy();
      stopServer();
    },
  };
}
