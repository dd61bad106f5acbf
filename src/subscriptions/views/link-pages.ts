import { DateTime } from 'luxon';
import { BRAND } from '../../mail/brand';
import { Html, html } from '../../pages/html';
import { renderPage } from '../../pages/layout';
import type { LinkFailure } from '../subscriptions.service';
import type { TokenPurpose } from '../tokens';

/** A same-origin form action or link carrying a token (the CSP allows forms to post only to us). */
export function tokenPath(path: string, token: string): string {
  return `${path}?token=${encodeURIComponent(token)}`;
}

/** "Tuesday 24 November at 07:00 (Europe/Paris time)" — the reader's own clock. */
export function describeSlot(at: Date, timezone: string): string {
  const local = DateTime.fromJSDate(at, { zone: timezone });
  const zone = timezone === 'UTC' ? 'UTC' : `${timezone.replace(/_/g, ' ')} time`;
  return `${local.toFormat("cccc d LLLL 'at' HH:mm")} (${zone})`;
}

function tagList(tags: readonly string[]): string {
  return tags.map((tag) => `#${tag}`).join(', ');
}

export interface SubscribedView {
  tags: readonly string[];
  timezone: string;
  nextDigestAt: Date | null;
}

function nextDigest(view: SubscribedView, which: 'first' | 'next'): Html {
  return html`${view.nextDigestAt && html`<p>Your ${which} digest arrives on <strong>${describeSlot(view.nextDigestAt, view.timezone)}</strong>, if there are new stories on ${tagList(view.tags)}.</p>`}`;
}

/** GET /subscriptions/confirm with a good link. */
export function renderConfirmedPage(view: SubscribedView & { alreadyConfirmed: boolean; preferencesToken: string }): string {
  const title = view.alreadyConfirmed ? 'You are already subscribed' : 'You are subscribed';
  return renderPage({
    title,
    body: html`<h1>${title}</h1>
<p>${view.alreadyConfirmed ? 'This address was confirmed before; nothing has changed.' : `Thank you for confirming. ${BRAND.siteName} will now write to you.`}</p>
${nextDigest(view, view.alreadyConfirmed ? 'next' : 'first')}
<p><a class="button button-secondary" href="${tokenPath('/preferences', view.preferencesToken)}">Change topics or timing</a></p>`,
  });
}

/** GET /unsubscribe: a page with a button, because mail scanners open links and must never unsubscribe anyone. */
export function renderUnsubscribePrompt(view: { unsubscribeToken: string; preferencesToken: string }): string {
  return renderPage({
    title: 'Unsubscribe',
    body: html`<h1>Unsubscribe from ${BRAND.siteName}?</h1>
<p>You will stop receiving every email from us: digests and breaking news alike.</p>
<form method="post" action="${tokenPath('/unsubscribe', view.unsubscribeToken)}">
<div class="actions"><button class="button" type="submit">Unsubscribe</button></div>
</form>
<p class="small section">Rather hear from us less often, or about other topics? <a href="${tokenPath('/preferences', view.preferencesToken)}">Change your preferences</a> instead.</p>`,
  });
}

/**
 * After an unsubscribe, or an unsubscribe link opened again. It offers no button that
 * changes anything: coming back is a new double opt-in from the subscribe page.
 */
export function renderUnsubscribedPage(view: { alreadyUnsubscribed: boolean }): string {
  return renderPage({
    title: 'You are unsubscribed',
    body: html`<h1>You are unsubscribed</h1>
<p>${view.alreadyUnsubscribed ? 'This address was already unsubscribed.' : 'Done.'} You will not receive any more emails from ${BRAND.siteName}.</p>
<div class="section">
<h2>Unsubscribed by mistake?</h2>
<p>Subscribe again on the <a href="/">subscribe page</a>: we will send a confirmation email to this address, and you are back once you confirm it.</p>
</div>`,
  });
}

/** After "delete my data". */
export function renderErasedPage(): string {
  return renderPage({
    title: 'Your data is deleted',
    body: html`<h1>Your data is deleted</h1>
<p>We have deleted your email address and your preferences.</p>
<p>All we keep is a one-way fingerprint of the address, which cannot be turned back into it, so that we never write to it again.</p>
<p><a href="/">Go to the home page</a></p>`,
  });
}

const FAILURE_TEXT: Record<LinkFailure, { title: string; text: string }> = {
  invalid: {
    title: 'This link does not work',
    text: 'It may be incomplete: some email apps cut long links in two. Open it again from the email, or copy the whole link into your browser.',
  },
  expired: {
    title: 'This link has expired',
    text: 'Confirmation links work for 7 days. Subscribe again and we will send you a fresh one.',
  },
  revoked: {
    title: 'This link is no longer valid',
    text: 'A newer one has replaced it, for example because you unsubscribed or deleted your data. Please use the link in the most recent email from us.',
  },
};

/** A refused link (400): what happened, in words a reader can act on; nothing was changed. */
export function renderLinkProblemPage(failure: LinkFailure, purpose: TokenPurpose): string {
  const { title, text } = FAILURE_TEXT[failure];
  const offerSubscribe = purpose === 'confirm' || failure !== 'invalid';
  return renderPage({
    title,
    body: html`<h1>${title}</h1>
<p>${text}</p>
<p class="small">Nothing has been changed.</p>
${offerSubscribe && html`<p><a class="button button-secondary" href="/">Go to the subscribe page</a></p>`}`,
  });
}
