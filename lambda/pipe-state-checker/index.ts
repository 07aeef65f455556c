/**
 * Scheduled pipe state check (see PIPE_STATE in lib/core/contract.ts): describes the pipes named in
 * `PIPE_STATE_PIPE_NAMES` and emits `PipeRunning` per pipe, which the owning construct's alarm watches.
 */
import { checkPipes, PipeStateResult } from './check';
import { describePipeClient } from './describe-pipe';
import { PIPE_STATE } from '../../lib/core/contract';

const pipeNames = JSON.parse(process.env[PIPE_STATE.pipeNamesEnv] ?? '[]') as string[];
const describe = describePipeClient(process.env.AWS_REGION ?? 'us-east-1', process.env.AWS_ENDPOINT_URL_PIPES || undefined);

export async function handler(): Promise<PipeStateResult[]> {
  return checkPipes(pipeNames, describe, (line) => process.stdout.write(`${line}\n`));
}
