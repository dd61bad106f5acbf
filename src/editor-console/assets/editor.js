// Dispatch editor console. Served from our origin as an external script (the CSP
// allows no inline script or style). The editor key lives in sessionStorage only:
// this tab, this origin, gone when the tab closes; never in a URL or a cookie.
(() => {
  'use strict';

  const KEY_STORAGE = 'dispatch.editorKey';
  const SEARCH_LIMIT = 10;
  const POLL_MS = 1000;
  const POLL_RETRY_MS = 3000;
  const TAG_PATTERN = /^[\p{L}\p{M}\p{N}-]{1,50}$/u;
  const FRAME_URL = '/editor/frame';
  const MAX_SCHEDULE_MS = 7 * 24 * 3600 * 1000;
  const SCHEDULED_POLL_MS = 5000;
  /** Staff subscriptions need a tag; this one names no reader topic, so they get test alerts only. */
  const STAFF_PUSH_TAG = 'dispatch-staff';

  const $ = (id) => document.getElementById(id);
  const el = {
    error: $('console-error'),
    forgetKey: $('forget-key'),
    keyPanel: $('key-panel'),
    keyForm: $('key-form'),
    keyInput: $('key-input'),
    keyError: $('key-error'),
    workspace: $('workspace'),
    searchForm: $('search-form'),
    searchInput: $('search-input'),
    searchStatus: $('search-status'),
    results: $('search-results'),
    pasteForm: $('paste-form'),
    pasteInput: $('paste-input'),
    pasteError: $('paste-error'),
    pickPrompt: $('pick-prompt'),
    previewPanel: $('preview-panel'),
    previewTitle: $('preview-title'),
    pickedTitle: $('picked-title'),
    pickedId: $('picked-id'),
    audienceCount: $('audience-count'),
    audienceText: $('audience-text'),
    tagsForm: $('tags-form'),
    tagsInput: $('tags-input'),
    tagsError: $('tags-error'),
    tagsReset: $('tags-reset'),
    previewNote: $('preview-note'),
    emailPreview: $('email-preview'),
    alertSubject: $('alert-subject'),
    alertFrame: $('alert-frame'),
    existingNote: $('existing-note'),
    staleNote: $('stale-note'),
    sendButton: $('send-button'),
    testButton: $('test-button'),
    testStatus: $('test-status'),
    optionsForm: $('options-form'),
    channelsError: $('channels-error'),
    scheduleField: $('schedule-field'),
    sendAt: $('send-at'),
    sendAtZone: $('send-at-zone'),
    sendAtError: $('send-at-error'),
    cancelButton: $('cancel-button'),
    channelProgress: $('channel-progress'),
    progressHeld: $('progress-held'),
    staffPushButton: $('staff-push-button'),
    staffPushStatus: $('staff-push-status'),
    confirmTitle: $('confirm-title'),
    confirmWhen: $('confirm-when'),
    progressPanel: $('progress-panel'),
    progressTitle: $('progress-title'),
    progressNote: $('progress-note'),
    progressState: $('progress-state'),
    progressBar: $('progress-bar'),
    progressText: $('progress-text'),
    progressRecipients: $('progress-recipients'),
    progressSent: $('progress-sent'),
    progressFailed: $('progress-failed'),
    progressBounced: $('progress-bounced'),
    progressComplained: $('progress-complained'),
    confirmDialog: $('confirm-dialog'),
    confirmText: $('confirm-text'),
    confirmSend: $('confirm-send'),
    digestForm: $('digest-form'),
    digestEmail: $('digest-email'),
    digestEmailError: $('digest-email-error'),
    digestAt: $('digest-at'),
    digestStatus: $('digest-status'),
    digestResult: $('digest-result'),
    digestEmpty: $('digest-empty'),
    digestContent: $('digest-content'),
    digestSubject: $('digest-subject'),
    digestFrame: $('digest-frame'),
    digestArticles: $('digest-articles'),
    digestRelated: $('digest-related'),
    digestText: $('digest-text'),
  };

  const state = {
    /** { id, title, tags, alert: {alertId}|null, pasted: event object|null } */
    article: null,
    /** What the send button will send: { tags, ownTags, recipients (null when unknown) } */
    preview: null,
    previewRun: 0,
    /** The alert whose progress is shown: { alertId, run } */
    watching: null,
    watchRun: 0,
    sending: false,
    /**
     * Idempotency-Key of the alert being composed, and of its test: made once per compose,
     * so a second click (or a retry after a lost answer) gets the first answer instead of
     * a second alert. A change to the alert, or a send that completed, starts a new compose.
     */
    sendKey: null,
    testKey: null,
    testing: false,
  };

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // ---- the key ------------------------------------------------------------

  let memoryKey = null;

  function storedKey() {
    try {
      return sessionStorage.getItem(KEY_STORAGE) ?? memoryKey;
    } catch {
      return memoryKey;
    }
  }

  function keepKey(key) {
    memoryKey = key;
    try {
      sessionStorage.setItem(KEY_STORAGE, key);
    } catch {
      // Storage disabled: the key lives in this page only and is asked for again on reload.
    }
  }

  function dropKey() {
    memoryKey = null;
    try {
      sessionStorage.removeItem(KEY_STORAGE);
    } catch {
      // Nothing stored.
    }
  }

  function askForKey(message) {
    stopWatching();
    if (el.confirmDialog.open) el.confirmDialog.close('cancel');
    el.workspace.hidden = true;
    el.forgetKey.hidden = true;
    el.keyPanel.hidden = false;
    hideError();
    showFieldError(el.keyInput, el.keyError, message);
    el.keyInput.value = '';
    el.keyInput.focus();
  }

  function keyRejected() {
    dropKey();
    askForKey('That editor key was not accepted. Check it and enter it again.');
  }

  el.keyForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = el.keyInput.value.trim();
    if (key === '') {
      showFieldError(el.keyInput, el.keyError, 'Enter your editor key.');
      el.keyInput.focus();
      return;
    }
    keepKey(key);
    showFieldError(el.keyInput, el.keyError, null);
    try {
      // Listing the newest articles both checks the key and fills the picker.
      const hits = await api(searchPath(''));
      openWorkspace();
      renderResults(hits, '');
      el.searchInput.focus();
      if (state.watching) watch(state.watching.alertId, null);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) showFieldError(el.keyInput, el.keyError, error.message);
    }
  });

  el.forgetKey.addEventListener('click', () => {
    dropKey();
    askForKey(null);
  });

  function openWorkspace() {
    el.keyPanel.hidden = true;
    el.workspace.hidden = false;
    el.forgetKey.hidden = false;
    el.keyInput.value = '';
  }

  // ---- talking to Dispatch -----------------------------------------------

  async function api(path, options = {}) {
    const key = storedKey();
    if (!key) {
      askForKey(null);
      throw new ApiError(401, 'An editor key is needed.');
    }
    const headers = { Accept: 'application/json', Authorization: `Bearer ${key}`, ...options.headers };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new ApiError(0, 'Dispatch could not be reached. Check the connection and try again.');
    }
    const body = await response.json().catch(() => null);
    if (response.status === 401) {
      keyRejected();
      throw new ApiError(401, 'That editor key was not accepted.');
    }
    if (!response.ok) {
      const message = body && typeof body.message === 'string' ? body.message : `Dispatch answered ${response.status}.`;
      throw new ApiError(response.status, message);
    }
    return body;
  }

  // ---- 1. find the article ------------------------------------------------

  function searchPath(text) {
    const params = new URLSearchParams({ limit: String(SEARCH_LIMIT) });
    if (text) params.set('q', text);
    return `/articles/search?${params}`;
  }

  el.searchForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = el.searchInput.value.trim();
    el.searchStatus.textContent = 'Searching…';
    try {
      renderResults(await api(searchPath(text)), text);
    } catch (error) {
      el.searchStatus.textContent = error.status === 401 ? '' : `Search failed: ${error.message}`;
    }
  });

  function renderResults(hits, text) {
    el.results.replaceChildren(...hits.map(resultItem));
    if (hits.length === 0) {
      el.searchStatus.textContent = text
        ? `No article matches “${text}”. Try other words or a tag, or paste the article.`
        : 'No articles yet. Paste an article to alert readers about it.';
    } else if (text) {
      el.searchStatus.textContent = `${plural(hits.length, 'article')} ${hits.length === 1 ? 'matches' : 'match'} “${text}”, newest first.`;
    } else {
      el.searchStatus.textContent = hits.length === 1 ? 'The newest article.' : `The ${hits.length} newest articles.`;
    }
  }

  function resultItem(hit) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'result';
    button.dataset.articleId = hit.id;
    button.setAttribute('aria-pressed', String(state.article?.id === hit.id));
    button.append(
      span('result-title', hit.title),
      span('result-meta', `${formatInstant(hit.publishedAt)} · ${hit.tags.map((tag) => `#${tag}`).join(' ')}`),
    );
    if (hit.alert) button.append(span('badge', 'Already alerted'));
    else if (hit.breaking) button.append(span('badge badge-quiet', 'Breaking'));
    button.addEventListener('click', () => pick({ id: hit.id, title: hit.title, tags: hit.tags, alert: hit.alert, pasted: null }));
    const item = document.createElement('li');
    item.append(button);
    return item;
  }

  el.pasteForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const parsed = parsePastedArticle(el.pasteInput.value);
    showFieldError(el.pasteInput, el.pasteError, parsed.error ?? null);
    if (parsed.error) {
      el.pasteInput.focus();
      return;
    }
    const article = parsed.article;
    let alert = null;
    try {
      // The id may already be stored (and alerted): the picker knows.
      const hits = await api(searchPath(article.id));
      alert = hits.find((hit) => hit.id === article.id)?.alert ?? null;
    } catch (error) {
      if (error.status === 401) return;
    }
    pick({ id: article.id, title: article.title, tags: normalizeTags(article.tags), alert, pasted: article });
  });

  /** Enough checking to preview and to say what is wrong early; the API validates it fully when sending. */
  function parsePastedArticle(text) {
    let article;
    try {
      article = JSON.parse(text);
    } catch (error) {
      return { error: `That is not valid JSON (${error.message}).` };
    }
    if (!article || typeof article !== 'object' || Array.isArray(article)) return { error: 'Paste one article: a JSON object in the event shape.' };
    const problems = [];
    for (const field of ['id', 'title', 'url', 'publishedAt']) {
      if (typeof article[field] !== 'string' || article[field].trim() === '') problems.push(`"${field}" is required`);
    }
    if (!Array.isArray(article.tags) || article.tags.length === 0 || !article.tags.every((tag) => typeof tag === 'string')) {
      problems.push('"tags" must be a list of at least one tag');
    }
    return problems.length > 0 ? { error: `${problems.join('; ')}.` } : { article };
  }

  // ---- 2. preview ------------------------------------------------------

  function pick(article) {
    state.article = article;
    state.preview = null;
    newCompose();
    stopWatching();
    el.progressPanel.hidden = true;
    for (const button of el.results.querySelectorAll('.result')) {
      button.setAttribute('aria-pressed', String(button.dataset.articleId === article.id));
    }
    el.pickPrompt.hidden = true;
    el.previewPanel.hidden = false;
    el.pickedTitle.textContent = article.title;
    el.pickedId.textContent = `(${article.pasted ? 'pasted, ' : ''}id ${article.id})`;
    el.tagsInput.value = article.tags.join(', ');
    renderExistingNote();
    el.previewTitle.focus();
    refreshPreview();
  }

  function renderExistingNote() {
    const alert = state.article?.alert;
    el.existingNote.replaceChildren();
    el.existingNote.hidden = !alert;
    if (!alert) return;
    const show = document.createElement('button');
    show.type = 'button';
    show.className = 'button-link';
    show.textContent = 'Show its progress';
    show.addEventListener('click', () => watch(alert.alertId, 'This is the alert already sent for this article.'));
    el.existingNote.append(
      `This article already has a breaking alert (${formatInstant(alert.createdAt)}). Sending again shows that alert; nobody gets it twice. `,
      show,
    );
  }

  el.tagsForm.addEventListener('submit', (event) => {
    event.preventDefault();
    refreshPreview();
  });

  el.tagsReset.addEventListener('click', () => {
    if (!state.article) return;
    el.tagsInput.value = state.article.tags.join(', ');
    refreshPreview();
  });

  el.tagsInput.addEventListener('input', () => {
    const current = parseTags(el.tagsInput.value);
    const stale = !state.preview || !current.ok || !sameTags(current.tags, state.preview.tags);
    el.staleNote.hidden = !stale || !state.preview;
    updateSendButton(stale);
  });

  async function refreshPreview() {
    const article = state.article;
    const parsed = parseTags(el.tagsInput.value);
    showFieldError(el.tagsInput, el.tagsError, parsed.error ?? null);
    if (!parsed.ok) {
      el.tagsInput.focus();
      return;
    }
    const tags = parsed.tags;
    const ownTags = sameTags(tags, article.tags);
    const run = ++state.previewRun;
    newCompose();
    state.preview = null;
    updateSendButton(true);
    el.staleNote.hidden = true;
    el.audienceCount.textContent = '…';
    el.audienceText.textContent = 'counting readers…';
    el.previewNote.hidden = true;
    const params = new URLSearchParams({ articleId: article.id });
    if (!ownTags) params.set('tags', tags.join(','));
    try {
      const result = await api(`/alerts/preview?${params}`);
      if (run !== state.previewRun) return;
      state.preview = { tags, ownTags, recipients: result.recipients };
      renderAudience(result.recipients);
      el.alertSubject.textContent = result.subject;
      el.emailPreview.hidden = false;
      showEmail(el.alertFrame, result.html);
      if (article.pasted) {
        note(el.previewNote, 'An article with this id is already stored: the email shows the stored version. Sending updates it with what you pasted first.');
      }
    } catch (error) {
      if (run !== state.previewRun || error.status === 401) return;
      el.emailPreview.hidden = true;
      if (error.status === 404 && article.pasted) {
        // Not stored yet: only POST /alerts stores a pasted article, so there is nothing to render or count.
        state.preview = { tags, ownTags, recipients: null };
        el.audienceCount.textContent = '?';
        el.audienceText.textContent = `readers: counted once the article is stored. It goes to confirmed readers with ${tagList(tags)}.`;
        note(el.previewNote, 'This article is not stored in Dispatch yet, so its email cannot be shown before sending. Sending stores it and alerts its readers.');
      } else if (error.status === 400) {
        el.audienceCount.textContent = '–';
        el.audienceText.textContent = 'readers will get this alert.';
        showFieldError(el.tagsInput, el.tagsError, error.message);
        el.tagsInput.focus();
      } else {
        el.audienceCount.textContent = '–';
        el.audienceText.textContent = 'readers will get this alert.';
        note(el.previewNote, error.status === 404 ? `This article no longer exists in Dispatch (${error.message}).` : `The preview failed: ${error.message}`, true);
      }
    }
    updateSendButton(false);
  }

  function renderAudience(recipients) {
    el.audienceCount.textContent = String(recipients);
    el.audienceText.textContent =
      recipients === 0
        ? 'readers: nobody would get this alert. Widen the tags to reach someone.'
        : `${recipients === 1 ? 'reader' : 'readers'} will get this alert.`;
  }

  function updateSendButton(stale) {
    const preview = state.preview;
    const ready = Boolean(preview) && !stale && !state.sending && preview.recipients !== 0;
    const later = whenLater();
    el.sendButton.disabled = !ready;
    const verb = later ? 'Schedule for' : 'Send to';
    el.sendButton.textContent = preview && preview.recipients !== null ? `${verb} ${plural(preview.recipients, 'reader')}…` : later ? 'Schedule alert…' : 'Send alert…';
    if (!el.testButton.dataset.blocked) el.testButton.disabled = !preview || stale || state.testing;
  }

  // ---- alert options --------------------------------------------------------

  function newCompose() {
    state.sendKey = newKey();
    state.testKey = newKey();
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  function whenLater() {
    return el.optionsForm.elements.when.value === 'later';
  }

  /** The options as POST /alerts takes them; the contract's defaults (both channels, major) are left out. */
  function readOptions({ forTest }) {
    const form = el.optionsForm.elements;
    const channels = [...form.channels].filter((box) => box.checked).map((box) => box.value);
    const priority = form.priority.value;
    const problems = { channels: null, sendAt: null };
    if (channels.length === 0) problems.channels = 'Choose at least one channel.';
    let sendAt = null;
    if (whenLater() && !forTest) {
      const at = el.sendAt.value ? new Date(el.sendAt.value) : null;
      if (!at || Number.isNaN(at.getTime())) problems.sendAt = 'Choose the date and time to send at.';
      else if (at.getTime() <= Date.now()) problems.sendAt = 'That time has passed: choose a later one, or send now.';
      else if (at.getTime() > Date.now() + MAX_SCHEDULE_MS) problems.sendAt = 'An alert can be scheduled at most 7 days ahead.';
      else sendAt = at.toISOString();
    }
    showFieldError(el.optionsForm.querySelector('input[name="channels"]'), el.channelsError, problems.channels);
    showFieldError(el.sendAt, el.sendAtError, problems.sendAt);
    if (problems.channels || problems.sendAt) return null;
    const options = {};
    if (channels.length === 1) options.channels = channels;
    if (priority === 'minor') options.priority = 'minor';
    if (sendAt) options.sendAt = sendAt;
    return { options, channels, priority, sendAt };
  }

  el.optionsForm.addEventListener('change', () => {
    el.scheduleField.hidden = !whenLater();
    if (whenLater() && !el.sendAt.value) el.sendAt.value = localInputValue(new Date(Date.now() + 3600_000));
    newCompose();
    updateSendButton(el.staleNote.hidden === false);
  });
  el.optionsForm.addEventListener('submit', (event) => event.preventDefault());

  function channelText(channels) {
    return channels.length === 2 ? 'email and push' : channels[0];
  }

  // ---- 3. send -------------------------------------------------------------

  el.sendButton.addEventListener('click', () => {
    const { article, preview } = state;
    if (!article || !preview) return;
    const chosen = readOptions({ forTest: false });
    if (!chosen) return;
    const audience = preview.recipients === null ? `every confirmed reader with ${tagList(preview.tags)}` : plural(preview.recipients, 'reader');
    const readers = preview.recipients === null ? '' : ` to ${plural(preview.recipients, 'reader')}`;
    el.confirmText.textContent = `“${article.title}” will be sent to ${audience} by ${channelText(chosen.channels)}, as a ${chosen.priority} alert.`;
    if (chosen.sendAt) {
      el.confirmTitle.textContent = 'Schedule this breaking alert?';
      el.confirmWhen.textContent = `It goes out at ${formatLocal(chosen.sendAt)}. You can cancel it until then.`;
      el.confirmSend.textContent = `Schedule${readers}`;
    } else {
      el.confirmTitle.textContent = 'Send this breaking alert now?';
      el.confirmWhen.textContent = 'It starts going out at once; only what has not gone out yet can be cancelled.';
      el.confirmSend.textContent = preview.recipients === null ? 'Send now' : `Send${readers}`;
    }
    el.confirmDialog.returnValue = '';
    el.confirmDialog.showModal();
  });

  el.confirmDialog.addEventListener('close', () => {
    if (el.confirmDialog.returnValue === 'send') send();
  });

  function alertBody(options) {
    const { article, preview } = state;
    const body = article.pasted ? { article: article.pasted } : { articleId: article.id };
    if (!preview.ownTags) body.tags = preview.tags;
    return { ...body, ...options };
  }

  async function send() {
    const { article, preview } = state;
    if (!article || !preview || state.sending) return;
    const chosen = readOptions({ forTest: false });
    if (!chosen) return;
    const body = alertBody(chosen.options);
    state.sending = true;
    updateSendButton(false);
    el.sendButton.textContent = chosen.sendAt ? 'Scheduling…' : 'Sending…';
    try {
      const created = await api('/alerts', { method: 'POST', body, headers: { 'Idempotency-Key': state.sendKey } });
      newCompose();
      hideError();
      if (chosen.sendAt) {
        watch(created.alertId, `Alert scheduled for ${formatLocal(chosen.sendAt)}, to ${plural(created.recipients, 'reader')} as it stands now.`, chosen.sendAt);
        return;
      }
      const existing = article.alert?.alertId === created.alertId;
      article.alert = article.alert ?? { alertId: created.alertId, createdAt: new Date().toISOString() };
      renderExistingNote();
      if (article.pasted) {
        // Sending stored it: from now on it is previewed, counted and sent like any stored article.
        article.pasted = null;
        el.pickedId.textContent = `(id ${article.id})`;
        refreshPreview();
      }
      watch(
        created.alertId,
        existing
          ? 'This article had already been alerted, so nothing was sent again. Here is that alert.'
          : `Alert created for ${plural(created.recipients, 'reader')}.`,
      );
    } catch (error) {
      if (error.status !== 401) showError(`The alert was not sent: ${error.message}`);
    } finally {
      state.sending = false;
      updateSendButton(false);
    }
  }

  el.testButton.addEventListener('click', () => sendTest());

  /** A test goes at once to the test recipients and staff browsers only; it is not the article's alert. */
  async function sendTest() {
    const { article, preview } = state;
    if (!article || !preview || state.testing) return;
    const chosen = readOptions({ forTest: true });
    if (!chosen) return;
    state.testing = true;
    updateSendButton(false);
    el.testStatus.textContent = 'Sending a test…';
    try {
      const created = await api('/alerts', { method: 'POST', body: alertBody({ ...chosen.options, test: true }), headers: { 'Idempotency-Key': state.testKey } });
      state.testKey = newKey();
      el.testStatus.textContent = `Test sent to ${plural(created.recipients, 'test recipient')}, subject marked [TEST]. Readers get nothing.`;
      watch(created.alertId, 'This is the test alert: only the newsroom’s test recipients get it.');
    } catch (error) {
      if (error.status === 401) return;
      el.testStatus.textContent = `The test was not sent: ${error.message}`;
      if (error.status === 400 && /test recipient|ALERT_TEST_RECIPIENTS/i.test(error.message)) {
        // Nothing to send a test to until ALERT_TEST_RECIPIENTS is set: say so once, here.
        el.testButton.dataset.blocked = 'true';
        el.testButton.disabled = true;
        el.testStatus.classList.add('test-blocked');
      }
    } finally {
      state.testing = false;
      updateSendButton(false);
    }
  }

  // ---- progress ------------------------------------------------------------

  function watch(alertId, message, sendAt = null) {
    const run = ++state.watchRun;
    state.watching = { alertId, run, sendAt };
    el.progressPanel.hidden = false;
    if (message !== null) {
      note(el.progressNote, message);
      el.progressText.textContent = '';
      el.progressState.textContent = '…';
      el.progressState.dataset.state = '';
      el.progressTitle.focus();
    }
    poll(run);
  }

  function stopWatching() {
    state.watchRun++;
  }

  async function poll(run) {
    const alertId = state.watching?.alertId;
    if (run !== state.watchRun || !alertId) return;
    let status;
    try {
      status = await api(`/alerts/${encodeURIComponent(alertId)}`);
    } catch (error) {
      if (run !== state.watchRun || error.status === 401) return;
      el.progressText.textContent = `Progress could not be fetched (${error.message}); trying again.`;
      setTimeout(() => poll(run), POLL_RETRY_MS);
      return;
    }
    if (run !== state.watchRun) return;
    renderProgress(status);
    if (status.status === 'sent' || status.status === 'cancelled') {
      state.watching = null;
      return;
    }
    setTimeout(() => poll(run), status.status === 'scheduled' ? SCHEDULED_POLL_MS : POLL_MS);
  }

  el.cancelButton.addEventListener('click', async () => {
    const alertId = state.watching?.alertId;
    if (!alertId) return;
    el.cancelButton.disabled = true;
    try {
      const cancelled = await api(`/alerts/${encodeURIComponent(alertId)}`, { method: 'DELETE' });
      note(el.progressNote, cancelled.sent > 0 ? `Cancelled. ${plural(cancelled.sent, 'message')} had already gone out.` : 'Cancelled before anything went out.');
      watch(alertId, null, state.watching?.sendAt ?? null);
    } catch (error) {
      if (error.status === 401) return;
      note(el.progressNote, error.status === 409 ? `Too late to cancel: ${error.message}` : `The alert was not cancelled: ${error.message}`, true);
    } finally {
      el.cancelButton.disabled = false;
    }
  });

  function renderProgress(status) {
    const done = status.sent + status.failed;
    const shown = status.status === 'sent' && status.recipients > 0 && status.failed === status.recipients ? 'failed' : status.status;
    el.progressBar.max = Math.max(status.recipients, 1);
    el.progressBar.value = status.status === 'sent' && status.recipients === 0 ? 1 : done;
    el.progressRecipients.textContent = String(status.recipients);
    el.progressSent.textContent = String(status.sent);
    el.progressFailed.textContent = String(status.failed);
    el.progressHeld.textContent = String(status.held ?? 0);
    el.cancelButton.hidden = !['scheduled', 'queued', 'sending'].includes(status.status);
    renderChannels(status.channels);
    // Bounces and complaints keep arriving after the alert is sent: "Show its progress" reads them again.
    el.progressBounced.textContent = String(status.bounced ?? 0);
    el.progressComplained.textContent = String(status.complained ?? 0);
    // The live region speaks on changes of state only, not on every count.
    if (el.progressState.dataset.state === shown) return;
    el.progressState.dataset.state = shown;
    el.progressState.textContent = shown;
    el.progressText.textContent = progressSentence(shown, status);
  }

  function renderChannels(channels) {
    el.channelProgress.hidden = !channels;
    if (!channels) return;
    const fields = { email: ['recipients', 'sent', 'failed', 'held', 'bounced', 'complained'], push: ['recipients', 'sent', 'failed', 'held', 'expired'] };
    for (const [channel, names] of Object.entries(fields)) {
      for (const name of names) {
        const value = channels[channel]?.[name];
        $(`${channel}-${name}`).textContent = typeof value === 'number' ? String(value) : '–';
      }
    }
  }

  function progressSentence(shown, status) {
    // Totals cover both channels: "emails" only while no push is among them.
    const unit = status.channels?.push?.recipients > 0 ? 'message' : 'email';
    switch (shown) {
      case 'scheduled': {
        const sendAt = status.sendAt ?? state.watching?.sendAt;
        return sendAt ? `Scheduled for ${formatLocal(sendAt)}. It can be cancelled until then.` : 'Scheduled. It can be cancelled until it goes out.';
      }
      case 'cancelled':
        if (status.cancelReason === 'missed') return 'Not sent: Dispatch found it more than an hour after its time.';
        return status.sent > 0 ? `Cancelled after ${plural(status.sent, 'message')} had gone out.` : 'Cancelled: nothing was sent.';
      case 'queued':
        return `Queued: the ${unit}s are about to go out.`;
      case 'sending':
        return `Sending to ${plural(status.recipients, 'reader')}…`;
      case 'failed':
        return `Failed: none of the ${plural(status.recipients, unit)} could be delivered.`;
      default:
        return status.failed > 0
          ? `Done: ${status.sent} of ${plural(status.recipients, unit)} sent, ${status.failed} failed.`
          : `Done: all ${plural(status.recipients, unit)} sent.`;
    }
  }

  // ---- digest preview ------------------------------------------------------

  el.digestForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = el.digestEmail.value.trim();
    const emailProblem = email === '' ? 'Enter the reader’s email address.' : email.includes('@') ? null : 'That does not look like an email address.';
    showFieldError(el.digestEmail, el.digestEmailError, emailProblem);
    if (emailProblem) {
      el.digestEmail.focus();
      return;
    }
    const params = new URLSearchParams({ email });
    const at = instantFromLocalInput(el.digestAt.value);
    if (at) params.set('at', at);
    el.digestStatus.textContent = 'Rendering the digest…';
    try {
      const digest = await api(`/digests/preview?${params}`);
      renderDigest(digest, at);
    } catch (error) {
      if (error.status === 401) return;
      el.digestResult.hidden = true;
      el.digestStatus.textContent = `The digest preview failed: ${error.message}`;
    }
  });

  function renderDigest(digest, at) {
    const when = at ? formatInstant(at) : 'their next digest';
    el.digestResult.hidden = false;
    const empty = !digest || typeof digest.html !== 'string' || digest.html === '' || !Array.isArray(digest.articles) || digest.articles.length === 0;
    el.digestEmpty.hidden = !empty;
    el.digestContent.hidden = empty;
    if (empty) {
      el.digestStatus.textContent = `No digest at ${when}.`;
      return;
    }
    const related = Array.isArray(digest.related) ? digest.related : [];
    el.digestStatus.textContent = `Digest at ${when}: ${plural(digest.articles.length, 'story', 'stories')}, ${plural(related.length, 'related story', 'related stories')}.`;
    el.digestSubject.textContent = digest.subject;
    el.digestText.textContent = digest.text;
    el.digestArticles.replaceChildren(...digest.articles.map(listItem));
    el.digestRelated.replaceChildren(...related.map(listItem));
    showEmail(el.digestFrame, digest.html);
  }

  /** datetime-local gives "2026-11-24T07:00" (or with seconds); the console reads it as UTC. */
  function instantFromLocalInput(value) {
    if (!value) return null;
    return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00Z` : `${value}Z`;
  }

  /** The editor's own clock and zone: what a datetime-local input shows and what "Send at" means. */
  function localInputValue(date) {
    const pad = (n) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }

  function formatLocal(iso) {
    const date = new Date(iso);
    return `${localInputValue(date).replace('T', ' ')} (${editorZone()})`;
  }

  function editorZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
    } catch {
      return 'local time';
    }
  }

  function nowForLocalInput() {
    return new Date().toISOString().slice(0, 16);
  }

  // ---- email frames --------------------------------------------------------

  /**
   * Shows an email in a sandboxed frame (no scripts, no forms). The frame first loads
   * /editor/frame, an empty page whose own CSP allows inline styles and nothing else
   * (no script at all); the email is then written into that document, so it renders
   * with its inline styles exactly as in a mail client. A srcdoc frame would inherit
   * this page's CSP instead, which refuses every inline style of the email. Writing
   * into the frame is why the sandbox allows same-origin; without scripts the frame
   * itself cannot use it.
   */
  function showEmail(frame, html) {
    const run = String(Number(frame.dataset.run ?? 0) + 1);
    frame.dataset.run = run;
    frame.addEventListener(
      'load',
      () => {
        // A newer email replaced this one while the frame was loading.
        if (frame.dataset.run !== run) return;
        const doc = frame.contentDocument;
        if (!doc) return;
        doc.open();
        doc.write(html);
        doc.close();
        // Links open in a new tab, never inside the preview.
        for (const link of doc.querySelectorAll('a[href]')) {
          link.target = '_blank';
          link.rel = 'noopener noreferrer';
        }
        fitFrame(frame);
        // Again once its images are in.
        frame.contentWindow?.addEventListener('load', () => fitFrame(frame), { once: true });
      },
      { once: true },
    );
    frame.src = FRAME_URL;
  }

  function fitFrame(frame) {
    const doc = frame.contentDocument;
    if (!doc || !doc.documentElement) return;
    frame.style.height = '0px';
    frame.style.height = `${doc.documentElement.scrollHeight + 2}px`;
  }

  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const frame of [el.alertFrame, el.digestFrame]) if (frame.offsetParent !== null) fitFrame(frame);
    }, 150);
  });

  // ---- staff browser for test pushes ----------------------------------------

  el.staffPushButton.addEventListener('click', () => registerStaffPush());

  async function registerStaffPush() {
    const say = (text) => {
      el.staffPushStatus.textContent = text;
    };
    if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
      say('This browser cannot receive web push.');
      return;
    }
    // Asked only here, on the editor's click.
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') {
      say('Notifications are not allowed for this site in this browser. Allow them in the site settings, then try again.');
      return;
    }
    el.staffPushButton.disabled = true;
    say('Registering this browser…');
    try {
      const { publicKey } = await api('/push/key');
      const registration = await navigator.serviceWorker.register('/push/sw.js');
      await activeWorker(registration);
      const applicationServerKey = base64UrlBytes(publicKey);
      let subscription = await registration.pushManager.getSubscription();
      if (subscription && !sameBytes(subscription.options?.applicationServerKey, applicationServerKey)) {
        await subscription.unsubscribe();
        subscription = null;
      }
      subscription = subscription ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey }));
      await api('/push/subscriptions', { method: 'POST', body: { subscription: subscription.toJSON(), tags: [STAFF_PUSH_TAG], staff: true } });
      say('This browser is registered: the push of every test alert comes here.');
    } catch (error) {
      if (error.status === 401) return;
      if (error.status === 404) say('Web push is not configured on this Dispatch (the VAPID keys are unset).');
      else say(`This browser could not be registered: ${error.message}`);
    } finally {
      el.staffPushButton.disabled = false;
    }
  }

  /** The worker lives under /push/, outside this page's scope: wait for it to activate rather than for navigator.serviceWorker.ready. */
  function activeWorker(registration) {
    if (registration.active) return Promise.resolve();
    const worker = registration.installing || registration.waiting;
    return new Promise((resolve, reject) => {
      worker.addEventListener('statechange', () => {
        if (worker.state === 'activated') resolve();
        else if (worker.state === 'redundant') reject(new Error('the service worker did not install.'));
      });
    });
  }

  function base64UrlBytes(text) {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
    return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  }

  function sameBytes(buffer, bytes) {
    if (!buffer) return false;
    const other = new Uint8Array(buffer);
    return other.length === bytes.length && other.every((byte, i) => byte === bytes[i]);
  }

  // ---- small helpers -------------------------------------------------------

  function parseTags(text) {
    const tags = normalizeTags(text.split(/[\s,]+/).filter((part) => part !== ''));
    if (tags.length === 0) return { ok: false, error: 'Give at least one tag.' };
    const bad = tags.filter((tag) => !TAG_PATTERN.test(tag));
    if (bad.length > 0) return { ok: false, error: `Not a tag: ${bad.join(', ')}. Tags are letters, digits and "-".` };
    return { ok: true, tags };
  }

  function normalizeTags(list) {
    const tags = list.map((tag) => {
      const lower = String(tag).normalize('NFC').trim().toLowerCase();
      return lower.startsWith('#') ? lower.slice(1) : lower;
    });
    return [...new Set(tags)];
  }

  function sameTags(a, b) {
    const set = new Set(b);
    return a.length === set.size && a.every((tag) => set.has(tag));
  }

  function tagList(tags) {
    const shown = tags.map((tag) => `#${tag}`);
    return shown.length === 1 ? `the tag ${shown[0]}` : `one of the tags ${shown.join(', ')}`;
  }

  function plural(n, singular, pluralForm = `${singular}s`) {
    return `${n} ${n === 1 ? singular : pluralForm}`;
  }

  function formatInstant(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  }

  function span(className, text) {
    const node = document.createElement('span');
    node.className = className;
    node.textContent = text;
    return node;
  }

  function listItem(text) {
    const item = document.createElement('li');
    item.textContent = text;
    return item;
  }

  function note(node, text, isError = false) {
    node.textContent = text;
    node.classList.toggle('notice-error', isError);
    node.hidden = false;
  }

  function showFieldError(input, slot, message) {
    slot.textContent = message ?? '';
    slot.hidden = !message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  function showError(message) {
    el.error.textContent = message;
    el.error.hidden = false;
    el.error.focus();
  }

  function hideError() {
    el.error.hidden = true;
    el.error.textContent = '';
  }

  // ---- start ---------------------------------------------------------------

  $('console-loading').hidden = true;
  el.digestAt.value = nowForLocalInput();
  el.sendAtZone.textContent = `(${editorZone()})`;
  newCompose();
  updateSendButton(true);
  if (storedKey()) {
    openWorkspace();
    api(searchPath(''))
      .then((hits) => renderResults(hits, ''))
      .catch((error) => {
        if (error.status !== 401) el.searchStatus.textContent = `Articles could not be loaded: ${error.message}`;
      });
  } else {
    askForKey(null);
  }
})();
