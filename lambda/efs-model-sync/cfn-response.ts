/** The part of a CloudFormation custom resource request the sync function reads. */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
}

/** What the function answers. */
export interface CustomResourceResponse {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  /** Why it failed (CloudFormation shows it in the stack events; kept under its 4 KB response limit). */
  readonly reason?: string;
  readonly data?: Record<string, string>;
}

const MAX_REASON_CHARS = 1_000;

export function isCustomResourceEvent(event: unknown): event is CustomResourceEvent {
  const e = event as Partial<CustomResourceEvent> | undefined;
  return typeof e?.RequestType === 'string' && typeof e.ResponseURL === 'string' && typeof e.StackId === 'string';
}

/**
 * Uploads the response to the pre-signed S3 URL CloudFormation waits on (reached through the VPC's S3 endpoint).
 * Retries a few times: an unsent response leaves the stack waiting until the custom resource's service timeout.
 */
export async function sendResponse(event: CustomResourceEvent, response: CustomResourceResponse, attempts = 3): Promise<void> {
  const body = JSON.stringify({
    Status: response.status,
    Reason: (response.reason ?? response.status).slice(0, MAX_REASON_CHARS),
    PhysicalResourceId: response.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: response.data ?? {},
  });
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      // The URL is signed without a content type: send none.
      const result = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
      if (result.ok) return;
      lastError = new Error(`the response upload answered ${result.status} ${await result.text()}`);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
