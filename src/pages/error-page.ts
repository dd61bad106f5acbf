import { html } from './html';
import { renderPage } from './layout';

const MESSAGES: Record<number, { title: string; text: string }> = {
  400: { title: 'Something in that request was wrong', text: 'Please go back, check the form and try again.' },
  404: { title: 'Page not found', text: 'The address may be mistyped, or the page has moved.' },
  413: { title: 'That was too much to send', text: 'Please go back and shorten what you entered.' },
  429: { title: 'Too many attempts', text: 'To protect readers’ inboxes we limit how often this can be done. Please wait a few minutes, then try again.' },
};

const FALLBACK = { title: 'Something went wrong on our side', text: 'Nothing you did caused this. Please try again in a moment.' };

/** A page for an HTTP error a browser ran into; it says what to do next, never what failed inside. */
export function renderErrorPage(status: number, retryAfterSeconds?: number): string {
  const message = MESSAGES[status] ?? (status < 500 ? MESSAGES[400] : FALLBACK);
  const wait = status === 429 && retryAfterSeconds !== undefined ? Math.max(1, Math.ceil(retryAfterSeconds / 60)) : undefined;
  return renderPage({
    title: message.title,
    body: html`<h1>${message.title}</h1>
<p>${message.text}</p>
${wait !== undefined && html`<p>You can try again in about ${wait} minute${wait === 1 ? '' : 's'}.</p>`}
<p><a href="/">Go to the subscribe page</a></p>`,
  });
}
