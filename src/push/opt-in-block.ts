import { Html, html } from '../pages/html';

/**
 * Where the opt-in takes its topics from: the reader's saved topics (which a subscription
 * this browser already holds then follows), or the tags ticked in a form on the page.
 */
export type PushOptInTopics = { readerTags: readonly string[] } | { tagsFrom: string };

/**
 * "Breaking news on this device": the markup the push opt-in script (push.js) enhances.
 * Its button is hidden until the script has checked the browser can do push; the
 * status line says what is going on, for screen readers too.
 */
export function pushOptInBlock(topics: PushOptInTopics, text: string): Html {
  const source = 'readerTags' in topics ? html` data-tags="${topics.readerTags.join(',')}" data-keep-tags` : html` data-tags-from="${topics.tagsFrom}"`;
  return html`<div class="section push-opt-in" id="push-opt-in" data-dispatch-push${source}>
<h2>Breaking news on this device</h2>
<p>${text}</p>
<p class="small" data-push-status role="status" aria-live="polite">This needs JavaScript and a browser that can show notifications.</p>
<div class="actions"><button class="button button-secondary" type="button" data-push-toggle hidden>Turn on for this device</button></div>
</div>`;
}
