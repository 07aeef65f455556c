import { IConstruct } from 'constructs';

/** Metadata type that marks a function as calling a rate-limited downstream (see SPC-ESM2). */
export const RATE_LIMITED_DOWNSTREAM_MARKER = 'cdk-serverless-patterns:rate-limited-downstream';

/** Whether `node` (an L1 function) or the construct that owns it carries `type` metadata. */
export function hasMarker(node: IConstruct, type: string): boolean {
  return [node, node.node.scope].some((c) => c?.node.metadata.some((entry) => entry.type === type));
}

export function isMarkedRateLimited(node: IConstruct): boolean {
  return hasMarker(node, RATE_LIMITED_DOWNSTREAM_MARKER);
}
