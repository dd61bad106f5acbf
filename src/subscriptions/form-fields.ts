import { normalizeTag } from '../articles/tags';
import { WEEKDAYS, WeekdayName } from './subscription-request';

/**
 * An HTML form sends strings: a checkbox group as a string or a list, a number as
 * digits, and a free-text "other tags" box. This turns that into the JSON shape the
 * request schemas validate, so forms and API clients share one set of rules.
 */
export function formToRequest(form: unknown, fields: readonly string[]): Record<string, unknown> {
  const body = isRecord(form) ? form : {};
  const request: Record<string, unknown> = {};
  for (const field of fields) {
    if (field === 'tags') {
      const tags = [...listOf(body.tags), ...splitTags(body.otherTags)];
      request.tags = tags;
      continue;
    }
    // "Off" / "No limit" are the empty choice, and clear the limit; a form without the fields leaves it as it is.
    if (field === 'quietHours') {
      if (body.quietHoursStart === undefined) continue;
      request.quietHours = body.quietHoursStart === '' ? null : { start: numberOf(body.quietHoursStart), end: numberOf(body.quietHoursEnd) };
      continue;
    }
    const value = body[field];
    if (field === 'maxAlertsPerDay' && value === '') {
      request.maxAlertsPerDay = null;
      continue;
    }
    if (value === undefined || value === '') continue;
    request[field] = field === 'sendHour' || field === 'maxAlertsPerDay' ? numberOf(value) : value;
  }
  return request;
}

/** What the reader sent, to show the form again as they filled it in when it was refused. */
export interface SubmittedForm {
  email: string;
  tags: string[];
  otherTags: string;
  frequency: string;
  sendHour: string;
  timezone: string;
  weekday: number;
  quietHoursStart: string;
  quietHoursEnd: string;
  maxAlertsPerDay: string;
}

export function submittedForm(form: unknown): SubmittedForm {
  const body = isRecord(form) ? form : {};
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const weekday = WEEKDAYS.indexOf(text(body.weekday).toLowerCase() as WeekdayName) + 1;
  return {
    email: text(body.email),
    tags: listOf(body.tags).filter((tag): tag is string => typeof tag === 'string').map(normalizeTag),
    otherTags: text(body.otherTags),
    frequency: text(body.frequency),
    sendHour: text(body.sendHour),
    timezone: text(body.timezone) || 'UTC',
    weekday: weekday > 0 ? weekday : 1,
    quietHoursStart: text(body.quietHoursStart),
    quietHoursEnd: text(body.quietHoursEnd),
    maxAlertsPerDay: text(body.maxAlertsPerDay),
  };
}

/** A form's digits as a number; anything else as sent, for the schema to refuse with its message. */
function numberOf(value: unknown): unknown {
  return typeof value === 'string' && /^\d{1,2}$/.test(value) ? Number(value) : value;
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** "ai, #Climate  space" → ["ai", "#Climate", "space"]; the tag schema normalises and checks each. */
function splitTags(value: unknown): unknown[] {
  if (typeof value !== 'string') return listOf(value);
  return value.split(/[\s,]+/).filter((part) => part.length > 0);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
