/** The request is not from the relay (bad signature, credentials, stale timestamp, foreign topic): 401, no effect. */
export class WebhookUnauthorized extends Error {}

/** The request is signed but its body is not what the relay sends: 400, no effect. */
export class WebhookMalformed extends Error {}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookMalformed('body is not JSON');
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : typeof value === 'number' ? String(value) : undefined;
}
