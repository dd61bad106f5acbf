import { z } from 'zod';
import { tagListSchema } from '../articles/tags';
import { expected, ParseResult, parseWith } from '../common/validation';

/** As many as a reader may follow by email. */
const MAX_TAGS = 20;

/** URL-safe base64 (padding tolerated, as some browsers send it) that decodes to `bytes` bytes. */
const key = (bytes: number, what: string) =>
  z
    .string({ error: expected(what) })
    .max(200)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `must be ${what} in URL-safe base64`)
    .transform((value) => value.replace(/=+$/, ''))
    .refine((value) => Buffer.from(value, 'base64url').length === bytes, `must be ${what} (${bytes} bytes)`);

const subscriptionSchema = z.object(
  {
    endpoint: z.string({ error: expected('a URL') }),
    // Browsers' PushSubscription.toJSON() also carries expirationTime: accepted and ignored.
    expirationTime: z.unknown().optional(),
    keys: z.object(
      {
        p256dh: key(65, 'the browser\'s P-256 public key').refine((value) => Buffer.from(value, 'base64url')[0] === 4, 'must be an uncompressed P-256 public key'),
        auth: key(16, 'the browser\'s auth secret'),
      },
      { error: expected('an object with p256dh and auth') },
    ),
  },
  { error: expected('a push subscription (PushSubscription.toJSON())') },
);

const createSchema = z.strictObject(
  {
    subscription: subscriptionSchema,
    tags: tagListSchema({ min: 1, max: MAX_TAGS }),
    staff: z.boolean({ error: expected('true or false') }).optional(),
  },
  { error: expected('a JSON object') },
);

const updateSchema = z.strictObject({ tags: tagListSchema({ min: 1, max: MAX_TAGS }) }, { error: expected('a JSON object') });

/** POST /push/subscriptions, validated; the endpoint is checked against the allowed hosts separately. */
export interface CreatePushSubscriptionRequest {
  endpoint: string;
  p256dh: string;
  auth: string;
  tags: string[];
  staff: boolean;
}

export function parseCreatePushSubscription(body: unknown): ParseResult<CreatePushSubscriptionRequest> {
  const parsed = parseWith(createSchema, body ?? undefined, { root: 'body' });
  if (!parsed.ok) return parsed;
  const { subscription, tags, staff = false } = parsed.data;
  return { ok: true, data: { endpoint: subscription.endpoint, p256dh: subscription.keys.p256dh, auth: subscription.keys.auth, tags, staff } };
}

export function parseUpdatePushSubscription(body: unknown): ParseResult<{ tags: string[] }> {
  return parseWith(updateSchema, body ?? undefined, { root: 'body' });
}
