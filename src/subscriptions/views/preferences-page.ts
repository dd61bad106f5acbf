import type { TagUse } from '../../articles/articles.repository';
import { BRAND } from '../../mail/brand';
import { html } from '../../pages/html';
import { renderPage } from '../../pages/layout';
import { pushOptInBlock } from '../../push/opt-in-block';
import { FieldError } from '../subscription-request';
import { describeSlot, tokenPath } from './link-pages';
import { alertLimitFields, errorSummary, PreferenceValues, preferenceFields } from './preference-fields';

export interface PreferenceCentreView {
  email: string;
  status: 'pending' | 'confirmed' | 'unsubscribed';
  values: PreferenceValues;
  /** The topics as saved (values may hold a refused form's input): what push on this device follows. */
  storedTags: readonly string[];
  nextDigestAt: Date | null;
  knownTags: readonly TagUse[];
  preferencesToken: string;
  unsubscribeToken: string;
  saved?: boolean;
  errors?: readonly FieldError[];
  /** Web push is configured: the page offers breaking news on this device, on the reader's topics. */
  push?: boolean;
}

/** GET/POST /preferences: the reader's choices, then unsubscribe, then erasure — least drastic first. */
export function renderPreferencesPage(view: PreferenceCentreView): string {
  const errors = view.errors ?? [];
  const timezone = view.values.timezone;
  return renderPage({
    scripts: view.push ? ['push.js'] : [],
    title: errors.length > 0 ? 'Please check your preferences' : view.saved ? 'Preferences saved' : 'Your preferences',
    body: html`<h1>Your preferences</h1>
<p class="lede">For <strong>${view.email}</strong></p>
${view.saved && html`<div class="notice" role="status"><p><strong>Saved.</strong>${view.nextDigestAt && html` Your next digest: ${describeSlot(view.nextDigestAt, timezone)}.`}</p></div>`}
${view.status === 'pending' && html`<div class="notice" role="status"><p>You have not confirmed your subscription yet: open the email we sent and follow its link. Until then we send you nothing.</p></div>`}
${errorSummary(errors)}
<form method="post" action="${tokenPath('/preferences', view.preferencesToken)}">
${preferenceFields({ knownTags: view.knownTags, values: view.values, errors, browserTimezone: false })}
${alertLimitFields({ values: view.values, errors })}
<div class="actions"><button class="button" type="submit">Save preferences</button></div>
</form>
${view.push && pushOptInBlock({ readerTags: view.storedTags }, 'A notification on this device when we send breaking news on your topics. Turning it off here needs no email address and leaves your emails as they are.')}
<div class="section">
<h2>Unsubscribe</h2>
<p>Stop every email from ${BRAND.siteName}. You can come back later.</p>
<form method="post" action="${tokenPath('/unsubscribe', view.unsubscribeToken)}">
<button class="button button-secondary" type="submit">Unsubscribe</button>
</form>
</div>
<div class="section">
<h2>Delete my data</h2>
<p>Deletes your email address and preferences for good. We keep only a one-way fingerprint of the address so that we never write to it again, which also means this address cannot subscribe again.</p>
<form method="post" action="${tokenPath('/preferences/erase', view.preferencesToken)}">
<label class="confirm-check"><input type="checkbox" name="confirm" value="yes" required> I understand this cannot be undone.</label>
<button class="button button-danger" type="submit">Delete my data</button>
</form>
</div>`,
  });
}
