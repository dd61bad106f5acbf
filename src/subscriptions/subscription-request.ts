import { z } from 'zod';
import { tagListSchema } from '../articles/tags';
import { expected, formatPath, formatZodError, humanErrorMap } from '../common/validation';
import { normalizeEmailAddress } from './email-address';
import { normalizeTimeZone } from '../common/timezone';
import type { QuietHours } from '../common/quiet-hours';

/** More tags than this per reader is a list of everything, not a choice. */
export const MAX_TAGS_PER_SUBSCRIBER = 50;

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type WeekdayName = (typeof WEEKDAYS)[number];

/** ISO weekday number (1 = Monday) of a weekday name. */
export function isoWeekday(name: WeekdayName): number {
  return WEEKDAYS.indexOf(name) + 1;
}

export function weekdayName(isoDay: number): WeekdayName {
  return WEEKDAYS[isoDay - 1] ?? 'monday';
}

export const FREQUENCIES = ['daily', 'weekly'] as const;
export type FrequencyName = (typeof FREQUENCIES)[number];

/** What a reader chooses, in the form the database keeps it (weekday as ISO number). */
export interface Preferences {
  tags: string[];
  frequency: FrequencyName;
  sendHour: number;
  timezone: string;
  weekday: number;
}

export const DEFAULT_PREFERENCES: Omit<Preferences, 'tags'> = { frequency: 'daily', sendHour: 7, timezone: 'UTC', weekday: 1 };

const emailSchema = z.unknown().transform((value, ctx) => {
  const result = normalizeEmailAddress(value);
  if (result.ok) return result.email;
  ctx.addIssue({ code: 'custom', message: value === undefined ? 'is required' : result.reason });
  return z.NEVER;
});

const tagsSchema = tagListSchema({ min: 1, max: MAX_TAGS_PER_SUBSCRIBER });

const frequencySchema = z.enum(FREQUENCIES);

const sendHourSchema = z
  .number({ error: expected('an integer from 0 to 23') })
  .int('must be an integer from 0 to 23')
  .min(0, 'must be an integer from 0 to 23')
  .max(23, 'must be an integer from 0 to 23');

const timezoneSchema = z.string({ error: expected('an IANA time zone name, e.g. "Europe/Paris"') }).transform((value, ctx) => {
  // Not Intl's canonical name: that can be an outdated alias (Asia/Kolkata → Asia/Calcutta).
  const zone = normalizeTimeZone(value.trim());
  if (zone) return zone;
  ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone name, e.g. "Europe/Paris"' });
  return z.NEVER;
});

const weekdaySchema = z
  .string({ error: expected(`a day of the week ("monday" … "sunday")`) })
  .transform((value, ctx) => {
    const name = value.trim().toLowerCase() as WeekdayName;
    if (WEEKDAYS.includes(name)) return isoWeekday(name);
    ctx.addIssue({ code: 'custom', message: `must be a day of the week ("monday" … "sunday")` });
    return z.NEVER;
  });

const quietHourSchema = z
  .number({ error: expected('an integer from 0 to 23 (a local hour)') })
  .int('must be an integer from 0 to 23 (a local hour)')
  .min(0, 'must be an integer from 0 to 23 (a local hour)')
  .max(23, 'must be an integer from 0 to 23 (a local hour)');

/** Local hours, start inclusive and end exclusive (across midnight when start > end); null for none. */
const quietHoursSchema = z
  .strictObject({ start: quietHourSchema, end: quietHourSchema }, { error: expected('{"start": 22, "end": 7} (local hours) or null for none') })
  .refine((quiet) => quiet.start !== quiet.end, 'start and end must be different hours')
  .nullable();

export const MAX_ALERTS_PER_DAY = 20;
const maxAlertsPerDaySchema = z
  .number({ error: expected(`an integer from 1 to ${MAX_ALERTS_PER_DAY}, or null for no cap`) })
  .int(`must be an integer from 1 to ${MAX_ALERTS_PER_DAY}, or null for no cap`)
  .min(1, `must be an integer from 1 to ${MAX_ALERTS_PER_DAY}, or null for no cap`)
  .max(MAX_ALERTS_PER_DAY, `must be an integer from 1 to ${MAX_ALERTS_PER_DAY}, or null for no cap`)
  .nullable();

/** How a reader limits minor breaking alerts (major ones ignore both). */
export interface AlertLimits {
  quietHours: QuietHours | null;
  maxAlertsPerDay: number | null;
}

/** POST /subscriptions (CONTRACT.md): everything but the address has a default. */
export const subscriptionRequestSchema = z.strictObject(
  {
    email: emailSchema,
    tags: tagsSchema,
    frequency: frequencySchema.default(DEFAULT_PREFERENCES.frequency),
    sendHour: sendHourSchema.default(DEFAULT_PREFERENCES.sendHour),
    timezone: timezoneSchema.default(DEFAULT_PREFERENCES.timezone),
    weekday: weekdaySchema.default(DEFAULT_PREFERENCES.weekday),
  },
  { error: expected('a JSON object') },
);

export type SubscriptionRequest = z.output<typeof subscriptionRequestSchema>;

/** POST /preferences: any of the choices, at least one; the address itself cannot change. */
export const preferencesUpdateSchema = z
  .strictObject(
    {
      tags: tagsSchema.optional(),
      frequency: frequencySchema.optional(),
      sendHour: sendHourSchema.optional(),
      timezone: timezoneSchema.optional(),
      weekday: weekdaySchema.optional(),
      quietHours: quietHoursSchema.optional(),
      maxAlertsPerDay: maxAlertsPerDaySchema.optional(),
    },
    { error: expected('a JSON object') },
  )
  .refine((update) => Object.values(update).some((value) => value !== undefined), 'must change at least one preference');

export type PreferencesUpdate = z.output<typeof preferencesUpdateSchema>;

/** A failed field, for pages that point the reader at it. */
export interface FieldError {
  field: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; message: string; errors: FieldError[] };

/** Parses with human messages: one line for JSON clients, one entry per field for forms. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): Validation<z.output<S>> {
  const result = schema.safeParse(input, { error: humanErrorMap });
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    for (const path of keys) {
      const field = formatPath(path.length > 0 ? [path[0]] : [], 'body');
      if (seen.has(field)) continue;
      seen.add(field);
      errors.push({ field, message: issue.code === 'unrecognized_keys' ? 'is not an allowed field' : issue.message });
    }
  }
  return { ok: false, message: formatZodError(result.error), errors };
}
