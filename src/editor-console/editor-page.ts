import { BRAND } from '../mail/brand';
import { html } from '../pages/html';

/**
 * Email previews run no script and submit no form. Same-origin lets the console write
 * the email into the frame; popups let a link in it open in a new tab.
 */
export const EMAIL_FRAME_SANDBOX = 'allow-same-origin allow-popups allow-popups-to-escape-sandbox';

/** The policy of the preview frame's document (GET /editor/frame): an email's inline styles and images, nothing else. */
export const EMAIL_FRAME_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src https: data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

export const EMAIL_FRAME_PAGE = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Email preview</title></head><body></body></html>\n';

export interface EditorPageAssets {
  /** Stylesheet URLs, in cascade order: the reader pages' site stylesheet first, then the console's. */
  stylesheets: readonly string[];
  script: string;
}

/**
 * The console's server-rendered shell. It holds no data and no secret: everything
 * editor-only is fetched by the script with the key the editor types in, so the
 * page itself can be served to anyone. No inline script or style (the CSP forbids both).
 */
export function renderEditorPage(assets: EditorPageAssets): string {
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>Editor console · ${BRAND.siteName}</title>
${assets.stylesheets.map((href) => html`<link rel="stylesheet" href="${href}">`)}
<script src="${assets.script}" defer></script>
</head>
<body class="console">
<a class="skip-link" href="#main">Skip to content</a>
<header class="masthead"><div class="masthead-inner">
<a class="wordmark" href="/">${BRAND.siteName}</a>
<span class="console-label">Editor console</span>
<button type="button" id="forget-key" class="button-link" hidden>Forget key</button>
</div></header>
<main id="main" tabindex="-1">
<noscript><div class="notice notice-error"><p>The editor console needs JavaScript. Please enable it for this site.</p></div></noscript>
<div id="console-error" class="notice notice-error" role="alert" tabindex="-1" hidden></div>

<p id="console-loading" class="card">Loading the editor console…</p>

<section id="key-panel" class="card key-card" aria-labelledby="key-title" hidden>
<h1 id="key-title">Editor console</h1>
<p class="lede">Enter your editor key to start. It is kept in this browser tab only and forgotten when the tab is closed.</p>
<form id="key-form" method="post" novalidate>
<div class="field">
<label for="key-input">Editor key</label>
<span id="key-error" class="field-error" hidden></span>
<input id="key-input" type="password" autocomplete="off" spellcheck="false" autocapitalize="off" required aria-describedby="key-error">
</div>
<div class="actions"><button class="button" type="submit">Continue</button></div>
</form>
</section>

<div id="workspace" hidden>
<nav class="console-nav" aria-label="Console sections">
<a href="#alert-section">Breaking alert</a>
<a href="#digest-section">Digest preview</a>
<a href="#staff-push-section">Test pushes</a>
</nav>

<section id="alert-section" class="card" aria-labelledby="alert-title" tabindex="-1">
<h1 id="alert-title">Breaking alert</h1>
<div class="alert-layout">
<div class="alert-pick">
<h2 id="find-title">1. Find the article</h2>
<form id="search-form" role="search" aria-labelledby="find-title">
<div class="field">
<label for="search-input">Title or tag</label>
<span class="hint" id="search-hint">Words from the headline, or a tag such as #ainews. Leave empty for the newest articles.</span>
<div class="inline-field">
<input id="search-input" name="q" type="search" aria-describedby="search-hint" autocomplete="off">
<button class="button" type="submit">Search</button>
</div>
</div>
</form>
<p id="search-status" class="small" role="status" aria-live="polite"></p>
<ul id="search-results" class="results" aria-label="Articles"></ul>
<details id="paste-details" class="paste">
<summary>Or paste an article (JSON)</summary>
<form id="paste-form" novalidate>
<div class="field">
<label for="paste-input">Article in the event shape</label>
<span class="hint" id="paste-hint">{"id", "title", "url", "tags", "publishedAt", …} as the CMS publishes it. Sending stores it first.</span>
<span id="paste-error" class="field-error" hidden></span>
<textarea id="paste-input" name="article" rows="8" spellcheck="false" aria-describedby="paste-hint paste-error"></textarea>
</div>
<div class="actions"><button class="button button-secondary" type="submit">Use this article</button></div>
</form>
</details>
</div>

<div class="alert-check">
<p id="pick-prompt" class="placeholder">Pick an article to see its alert email and audience.</p>
<div id="preview-panel" hidden>
<h2 id="preview-title" tabindex="-1">2. Check the email and its audience</h2>
<p class="picked">Article: <strong id="picked-title"></strong> <span id="picked-id" class="small"></span></p>
<p class="audience" role="status" aria-live="polite"><span id="audience-count" class="audience-count">–</span> <span id="audience-text">readers will get this alert.</span></p>
<form id="tags-form" novalidate>
<div class="field">
<label for="tags-input">Audience tags</label>
<span class="hint" id="tags-hint">Readers with at least one of these tags get the alert. Remove tags to narrow it, add tags to widen it; separate with commas.</span>
<span id="tags-error" class="field-error" hidden></span>
<input id="tags-input" name="tags" type="text" autocomplete="off" spellcheck="false" aria-describedby="tags-hint tags-error">
</div>
<div class="actions">
<button class="button button-secondary" type="submit">Update preview</button>
<button id="tags-reset" class="button-link" type="button">Use the article’s tags</button>
</div>
</form>
<p id="preview-note" class="notice" hidden></p>
<div id="email-preview" class="email-preview" hidden>
<p class="subject-line"><span class="subject-label">Subject</span> <span id="alert-subject"></span></p>
<iframe id="alert-frame" class="email-frame" title="The alert email as readers will get it" sandbox="${EMAIL_FRAME_SANDBOX}" referrerpolicy="no-referrer"></iframe>
</div>

<h2 id="send-title">3. Send</h2>
<p id="existing-note" class="notice" hidden></p>
<form id="options-form" novalidate>
<fieldset aria-describedby="channels-hint channels-error">
<legend>Channels</legend>
<span class="hint" id="channels-hint">Each reader gets the alert on the channels they have.</span>
<span id="channels-error" class="field-error" hidden></span>
<div class="choices">
<label class="choice"><input type="checkbox" name="channels" value="email" checked> Email</label>
<label class="choice"><input type="checkbox" name="channels" value="push" checked> Push</label>
</div>
</fieldset>
<fieldset aria-describedby="priority-hint">
<legend>Priority</legend>
<span class="hint" id="priority-hint">Major: everyone at once. Minor: waits for each reader’s quiet hours to end and counts towards their daily alert limit.</span>
<div class="choices">
<label class="choice"><input type="radio" name="priority" value="major" checked> Major</label>
<label class="choice"><input type="radio" name="priority" value="minor"> Minor</label>
</div>
</fieldset>
<fieldset>
<legend>When</legend>
<div class="choices">
<label class="choice"><input type="radio" name="when" value="now" checked> Now</label>
<label class="choice"><input type="radio" name="when" value="later"> Schedule</label>
</div>
</fieldset>
<div id="schedule-field" class="field" hidden>
<label for="send-at">Send at <span class="unit" id="send-at-zone"></span></label>
<span class="hint" id="send-at-hint">Up to 7 days ahead. It can be cancelled until it goes out.</span>
<span id="send-at-error" class="field-error" hidden></span>
<input id="send-at" name="sendAt" type="datetime-local" step="60" aria-describedby="send-at-hint send-at-error">
</div>
</form>
<p id="stale-note" class="small" hidden>The tags changed: update the preview before sending.</p>
<div class="actions">
<button id="send-button" class="button button-danger" type="button">Send alert…</button>
<button id="test-button" class="button button-secondary" type="button">Send test</button>
</div>
<p id="test-status" class="small" role="status" aria-live="polite">A test goes only to the newsroom’s test addresses and registered staff browsers, marked [TEST].</p>
</div>

<div id="progress-panel" class="progress-panel" hidden>
<h2 id="progress-title" tabindex="-1">Delivery progress</h2>
<p id="progress-note" class="notice" hidden></p>
<p class="progress-state">Status: <strong id="progress-state" class="state"></strong></p>
<progress id="progress-bar" max="1" value="0" aria-labelledby="progress-title"></progress>
<p id="progress-text" role="status" aria-live="polite"></p>
<div class="actions"><button id="cancel-button" class="button button-secondary" type="button" hidden>Cancel this alert</button></div>
<dl class="counts">
<div><dt>Recipients</dt><dd id="progress-recipients">–</dd></div>
<div><dt>Sent</dt><dd id="progress-sent">–</dd></div>
<div><dt>Failed</dt><dd id="progress-failed">–</dd></div>
<div><dt>Held</dt><dd id="progress-held">–</dd></div>
<div><dt>Bounced</dt><dd id="progress-bounced">–</dd></div>
<div><dt>Complained</dt><dd id="progress-complained">–</dd></div>
</dl>
<div id="channel-progress" class="table-scroll" hidden>
<table class="channel-counts">
<caption>By channel</caption>
<thead><tr><th scope="col"><span class="visually-hidden">Count</span></th><th scope="col">Email</th><th scope="col">Push</th></tr></thead>
<tbody>
<tr><th scope="row">Recipients</th><td id="email-recipients">–</td><td id="push-recipients">–</td></tr>
<tr><th scope="row">Sent</th><td id="email-sent">–</td><td id="push-sent">–</td></tr>
<tr><th scope="row">Failed</th><td id="email-failed">–</td><td id="push-failed">–</td></tr>
<tr><th scope="row">Held</th><td id="email-held">–</td><td id="push-held">–</td></tr>
<tr><th scope="row">Bounced</th><td id="email-bounced">–</td><td class="na">n/a</td></tr>
<tr><th scope="row">Complained</th><td id="email-complained">–</td><td class="na">n/a</td></tr>
<tr><th scope="row">Expired</th><td class="na">n/a</td><td id="push-expired">–</td></tr>
</tbody>
</table>
</div>
</div>
</div>
</div>
</section>

<section id="staff-push-section" class="card" aria-labelledby="staff-push-title" tabindex="-1">
<h1 id="staff-push-title">Test pushes on this browser</h1>
<p class="lede">Register this browser as a staff device: it then gets the push of every test alert, so you can see one on this device before readers do.</p>
<div class="actions"><button id="staff-push-button" class="button button-secondary" type="button">Register this browser for test pushes</button></div>
<p id="staff-push-status" class="small" role="status" aria-live="polite"></p>
</section>

<section id="digest-section" class="card" aria-labelledby="digest-title" tabindex="-1">
<h1 id="digest-title">Digest preview</h1>
<p class="lede">See a reader’s digest as it would be rendered at an instant. Nothing is sent or recorded.</p>
<form id="digest-form" novalidate>
<div class="row">
<div class="field">
<label for="digest-email">Reader’s email address</label>
<span id="digest-email-error" class="field-error" hidden></span>
<input id="digest-email" name="email" type="email" autocomplete="off" spellcheck="false" required aria-describedby="digest-email-error">
</div>
<div class="field">
<label for="digest-at">Instant <span class="unit">(UTC)</span></label>
<span class="hint" id="digest-at-hint">Time zone UTC. Empty: the reader’s next digest.</span>
<input id="digest-at" name="at" type="datetime-local" step="60" aria-describedby="digest-at-hint">
</div>
</div>
<div class="actions"><button class="button" type="submit">Preview digest</button></div>
</form>
<p id="digest-status" class="small" role="status" aria-live="polite"></p>
<div id="digest-result" hidden>
<p id="digest-empty" class="notice" hidden>No digest: this address gets nothing at that instant. Either it is not a subscriber, or there is nothing new on its tags.</p>
<div id="digest-content" hidden>
<p class="subject-line"><span class="subject-label">Subject</span> <span id="digest-subject"></span></p>
<div class="digest-layout">
<div>
<h2>Email</h2>
<iframe id="digest-frame" class="email-frame" title="The digest email as the reader would get it" sandbox="${EMAIL_FRAME_SANDBOX}" referrerpolicy="no-referrer"></iframe>
</div>
<div>
<h2>Stories</h2>
<ol id="digest-articles" class="ids"></ol>
<h2>Related stories</h2>
<ol id="digest-related" class="ids"></ol>
<h2>Plain-text part</h2>
<pre id="digest-text" class="plain-text" tabindex="0" aria-label="Plain-text part"></pre>
</div>
</div>
</div>
</div>
</section>
</div>
</main>

<dialog id="confirm-dialog" class="confirm-dialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
<form method="dialog">
<h2 id="confirm-title">Send this breaking alert now?</h2>
<p id="confirm-text"></p>
<p id="confirm-when" class="small">It starts going out at once; only what has not gone out yet can be cancelled.</p>
<div class="actions">
<button class="button button-secondary" value="cancel" autofocus>Cancel</button>
<button id="confirm-send" class="button button-danger" value="send">Send</button>
</div>
</form>
</dialog>
<footer class="site-footer"><p>${BRAND.siteName} · editor console</p></footer>
</body>
</html>`.value}\n`;
}
