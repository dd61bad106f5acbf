import type { TagUse } from '../../articles/articles.repository';
import { Html, html } from '../../pages/html';
import { FieldError, MAX_ALERTS_PER_DAY, WEEKDAYS } from '../subscription-request';
import { TIME_ZONE_CHOICES } from '../time-zones';

/** The most-used tags a page offers as checkboxes; anything else goes in the "other topics" box. */
export const OFFERED_TAGS = 40;

/** What the form shows: the stored choices, or what the reader just sent back. */
export interface PreferenceValues {
  tags: readonly string[];
  otherTags?: string;
  frequency: string;
  sendHour: number | string;
  timezone: string;
  weekday: number;
  /** The preference centre only: limits on minor alerts (null or '' for none). */
  quietHoursStart?: number | string | null;
  quietHoursEnd?: number | string | null;
  maxAlertsPerDay?: number | string | null;
}

export const FIELD_LABELS: Record<string, string> = {
  email: 'Email address',
  tags: 'Topics',
  frequency: 'How often',
  sendHour: 'Send at',
  timezone: 'Time zone',
  weekday: 'Day of the week',
  quietHours: 'Quiet hours',
  maxAlertsPerDay: 'Minor alerts a day',
  body: 'Form',
};

/** The field's id in the page, for error links and aria-describedby. */
const FIELD_IDS: Record<string, string> = { tags: 'tags-legend', frequency: 'frequency-legend', quietHours: 'quietHoursStart' };

export function fieldId(field: string): string {
  return FIELD_IDS[field] ?? field;
}

/** The list at the top of a form that failed: each entry names the field and links to it. */
export function errorSummary(errors: readonly FieldError[]): Html | null {
  if (errors.length === 0) return null;
  return html`<div class="notice notice-error" role="alert" id="error-summary">
<h2>Please correct ${errors.length === 1 ? 'this' : 'these'}:</h2>
<ul>${errors.map((error) => html`<li><a href="#${fieldId(error.field)}">${FIELD_LABELS[error.field] ?? error.field}</a>: ${error.message}</li>`)}</ul>
</div>`;
}

/** A field's own message, placed under its label and tied to the control with aria-describedby. */
export function fieldError(field: string, errors: readonly FieldError[]): Html | null {
  const error = errors.find((candidate) => candidate.field === field);
  return error ? html`<span class="field-error" id="${field}-error">${sentence(error.message)}</span>` : null;
}

function invalidAttrs(field: string, errors: readonly FieldError[], hintId?: string): Html {
  const invalid = errors.some((error) => error.field === field);
  const describedBy = [hintId, invalid ? `${field}-error` : undefined].filter(Boolean).join(' ');
  return html`${describedBy && html` aria-describedby="${describedBy}"`}${invalid && html` aria-invalid="true"`}`;
}

/**
 * Topics, frequency, weekday, hour and time zone: the same controls on the subscribe
 * page and in the preference centre. Known tags come first by use; a chosen tag the
 * site no longer uses stays listed so it can be unticked.
 */
export function preferenceFields(options: {
  knownTags: readonly TagUse[];
  values: PreferenceValues;
  errors: readonly FieldError[];
  /** The subscribe page pre-selects the reader's own time zone from the browser. */
  browserTimezone: boolean;
}): Html {
  const { values, errors } = options;
  const chosen = new Set(values.tags);
  const offered = options.knownTags.slice(0, OFFERED_TAGS);
  const offeredNames = new Set(offered.map((use) => use.tag));
  const extra = values.tags.filter((tag) => !offeredNames.has(tag)).map((tag) => ({ tag, articles: undefined as number | undefined }));
  const tags = [...extra, ...offered];
  const zones = TIME_ZONE_CHOICES.includes(values.timezone) ? TIME_ZONE_CHOICES : [values.timezone, ...TIME_ZONE_CHOICES];
  const tagErrorId = errors.some((error) => error.field === 'tags') ? 'tags-error' : undefined;

  return html`<fieldset aria-describedby="tags-hint${tagErrorId ? ` ${tagErrorId}` : ''}">
<legend id="tags-legend">Topics</legend>
<span class="hint" id="tags-hint">${tags.length > 0 ? 'Pick at least one. Your digest brings new stories with any of them.' : 'Type at least one topic below.'}</span>
${fieldError('tags', errors)}
${tags.length > 0 && html`<div class="chips">${tags.map(
    (use) => html`<label class="chip"><input type="checkbox" name="tags" value="${use.tag}"${chosen.has(use.tag) && html` checked`}> #${use.tag}${use.articles !== undefined && html` <span class="count" aria-label="${use.articles} ${use.articles === 1 ? 'story' : 'stories'}">${use.articles}</span>`}</label>`,
  )}</div>`}
</fieldset>
<div class="field">
<label for="otherTags">Other topics <span class="hint" id="otherTags-hint">Optional. Separate with commas, e.g. climate, space</span></label>
<input type="text" id="otherTags" name="otherTags" value="${values.otherTags ?? ''}" maxlength="600" autocomplete="off" autocapitalize="none" spellcheck="false" aria-describedby="otherTags-hint">
</div>
<fieldset${invalidAttrs('frequency', errors)}>
<legend id="frequency-legend">How often</legend>
${fieldError('frequency', errors)}
<div class="choices">
<label class="choice"><input type="radio" name="frequency" value="daily"${values.frequency !== 'weekly' && html` checked`}> Every day</label>
<label class="choice"><input type="radio" name="frequency" value="weekly"${values.frequency === 'weekly' && html` checked`}> Once a week</label>
</div>
</fieldset>
<div class="row">
<div class="field weekly-only">
<label for="weekday">Day of the week</label>
${fieldError('weekday', errors)}
<select id="weekday" name="weekday"${invalidAttrs('weekday', errors)}>${WEEKDAYS.map(
    (day, index) => html`<option value="${day}"${values.weekday === index + 1 && html` selected`}>${day[0].toUpperCase()}${day.slice(1)}</option>`,
  )}</select>
</div>
<div class="field">
<label for="sendHour">Send at</label>
${fieldError('sendHour', errors)}
<select id="sendHour" name="sendHour"${invalidAttrs('sendHour', errors)}>${Array.from({ length: 24 }, (_, hour) => html`<option value="${hour}"${String(values.sendHour) === String(hour) && html` selected`}>${String(hour).padStart(2, '0')}:00</option>`)}</select>
</div>
</div>
<div class="field">
<label for="timezone">Time zone</label>
${fieldError('timezone', errors)}
<select id="timezone" name="timezone"${options.browserTimezone && html` data-browser-timezone`}${invalidAttrs('timezone', errors)}>${zones.map(
    (zone) => html`<option value="${zone}"${zone === values.timezone && html` selected`}>${zone.replace(/_/g, ' ')}</option>`,
  )}</select>
</div>`;
}

/**
 * The preference centre's limits on minor breaking alerts: quiet hours (two hour
 * selects, "Off" for none) and a daily cap ("No limit" for none). Plain selects, so
 * the form works without JavaScript.
 */
export function alertLimitFields(options: { values: PreferenceValues; errors: readonly FieldError[] }): Html {
  const { values, errors } = options;
  const start = values.quietHoursStart ?? '';
  const end = values.quietHoursEnd ?? 7;
  const cap = values.maxAlertsPerDay ?? '';
  const hours = (chosen: number | string) =>
    Array.from({ length: 24 }, (_, hour) => html`<option value="${hour}"${String(chosen) === String(hour) && html` selected`}>${String(hour).padStart(2, '0')}:00</option>`);
  return html`<fieldset aria-describedby="alert-limits-hint">
<legend>Breaking news alerts</legend>
<span class="hint" id="alert-limits-hint">Major news always reaches you at once. Minor alerts wait until your quiet hours end (in your time zone above), are left out if they would be more than 12 hours old by then, and stop for the day once you have had as many as you allow.</span>
<div class="row">
<div class="field">
<label for="quietHoursStart">Quiet hours from</label>
${fieldError('quietHours', errors)}
<select id="quietHoursStart" name="quietHoursStart"${invalidAttrs('quietHours', errors)}><option value=""${String(start) === '' && html` selected`}>Off</option>${hours(start)}</select>
</div>
<div class="field">
<label for="quietHoursEnd">until</label>
<select id="quietHoursEnd" name="quietHoursEnd">${hours(end)}</select>
</div>
</div>
<div class="field">
<label for="maxAlertsPerDay">Minor alerts a day, at most</label>
${fieldError('maxAlertsPerDay', errors)}
<select id="maxAlertsPerDay" name="maxAlertsPerDay"${invalidAttrs('maxAlertsPerDay', errors)}><option value=""${String(cap) === '' && html` selected`}>No limit</option>${Array.from(
    { length: MAX_ALERTS_PER_DAY },
    (_, index) => html`<option value="${index + 1}"${String(cap) === String(index + 1) && html` selected`}>${index + 1}</option>`,
  )}</select>
</div>
</fieldset>`;
}

/** "must be a valid email address" → "Must be a valid email address." */
function sentence(message: string): string {
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}${/[.!?]$/.test(message) ? '' : '.'}`;
}
