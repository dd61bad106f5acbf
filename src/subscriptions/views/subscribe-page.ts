import type { TagUse } from '../../articles/articles.repository';
import { BRAND } from '../../mail/brand';
import { html } from '../../pages/html';
import { renderPage } from '../../pages/layout';
import { pushOptInBlock } from '../../push/opt-in-block';
import { DEFAULT_PREFERENCES, FieldError } from '../subscription-request';
import { errorSummary, fieldError, PreferenceValues, preferenceFields } from './preference-fields';

export interface SubscribeFormValues extends PreferenceValues {
  email: string;
}

/**
 * GET / — and the same page again, with the reader's input and what to fix, after a refused form.
 * `push`: web push is configured, so the page also offers breaking news on this device, on
 * the topics ticked in the form, with or without an email address.
 */
export function renderSubscribePage(options: { knownTags: readonly TagUse[]; values?: SubscribeFormValues; errors?: readonly FieldError[]; push?: boolean }): string {
  const errors = options.errors ?? [];
  const values: SubscribeFormValues = options.values ?? { email: '', tags: [], ...DEFAULT_PREFERENCES };
  const emailInvalid = errors.some((error) => error.field === 'email');
  return renderPage({
    title: errors.length > 0 ? 'Please check the form' : 'Subscribe',
    scripts: options.push ? ['timezone.js', 'push.js'] : ['timezone.js'],
    body: html`<h1>The news you choose, when you want it</h1>
<p class="lede">A digest of new stories on the topics you follow, every day or once a week, at the hour you pick. We ask you to confirm by email first, and you can change or stop it at any time.</p>
${errorSummary(errors)}
<form method="post" action="/subscriptions" id="subscribe-form">
<div class="field">
<label for="email">Email address</label>
${fieldError('email', errors)}
<input type="email" id="email" name="email" value="${values.email}" required maxlength="254" autocomplete="email" inputmode="email" autocapitalize="none" spellcheck="false"${emailInvalid && html` aria-invalid="true" aria-describedby="email-error"`}>
</div>
${preferenceFields({ knownTags: options.knownTags, values, errors, browserTimezone: options.values === undefined })}
<div class="actions"><button class="button" type="submit">Subscribe</button></div>
</form>
<p class="small">We will send one email to confirm your address, and nothing else until you click its link. Every email from ${BRAND.siteName} has a one-click unsubscribe.</p>
${options.push && pushOptInBlock({ tagsFrom: 'subscribe-form' }, 'A notification when we send breaking news on the topics ticked above, even without an email address. Your browser asks for permission when you turn it on; turn it off here at any time.')}`,
  });
}

/** After a subscribe form: the same words whatever we know about the address, so it reveals nothing. */
export function renderCheckInboxPage(): string {
  return renderPage({
    title: 'Check your inbox',
    body: html`<h1>Check your inbox</h1>
<p>If that address can receive ${BRAND.siteName}, an email is on its way. Open it and follow the link to confirm your subscription; the link works for 7 days.</p>
<p>If you are already subscribed, the email brings a link to your preferences instead.</p>
<p class="small">Nothing after a few minutes? Look in your spam or promotions folder. You can ask again in about ten minutes.</p>
<p><a href="/">Back to the subscribe page</a></p>`,
  });
}
