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
    const headers = { Accept: 'application/json', Authorization: `Bearer ${key}` };
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
    el.sendButton.disabled = !ready;
    el.sendButton.textContent = preview && preview.recipients !== null ? `Send to ${plural(preview.recipients, 'reader')}…` : 'Send alert…';
  }

  // ---- 3. send -------------------------------------------------------------

  el.sendButton.addEventListener('click', () => {
    const { article, preview } = state;
    if (!article || !preview) return;
    const audience = preview.recipients === null ? `every confirmed reader with ${tagList(preview.tags)}` : plural(preview.recipients, 'reader');
    el.confirmText.textContent = `“${article.title}” will be emailed to ${audience}.`;
    el.confirmSend.textContent = preview.recipients === null ? 'Send now' : `Send to ${plural(preview.recipients, 'reader')}`;
    el.confirmDialog.returnValue = '';
    el.confirmDialog.showModal();
  });

  el.confirmDialog.addEventListener('close', () => {
    if (el.confirmDialog.returnValue === 'send') send();
  });

  async function send() {
    const { article, preview } = state;
    if (!article || !preview || state.sending) return;
    const body = article.pasted ? { article: article.pasted } : { articleId: article.id };
    if (!preview.ownTags) body.tags = preview.tags;
    state.sending = true;
    updateSendButton(false);
    el.sendButton.textContent = 'Sending…';
    try {
      const created = await api('/alerts', { method: 'POST', body });
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

  // ---- progress ------------------------------------------------------------

  function watch(alertId, message) {
    const run = ++state.watchRun;
    state.watching = { alertId, run };
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
    if (status.status === 'sent') {
      state.watching = null;
      return;
    }
    setTimeout(() => poll(run), POLL_MS);
  }

  function renderProgress(status) {
    const done = status.sent + status.failed;
    const shown = status.status === 'sent' && status.recipients > 0 && status.failed === status.recipients ? 'failed' : status.status;
    el.progressBar.max = Math.max(status.recipients, 1);
    el.progressBar.value = status.status === 'sent' && status.recipients === 0 ? 1 : done;
    el.progressRecipients.textContent = String(status.recipients);
    el.progressSent.textContent = String(status.sent);
    el.progressFailed.textContent = String(status.failed);
    // Bounces and complaints keep arriving after the alert is sent: "Show its progress" reads them again.
    el.progressBounced.textContent = String(status.bounced ?? 0);
    el.progressComplained.textContent = String(status.complained ?? 0);
    // The live region speaks on changes of state only, not on every count.
    if (el.progressState.dataset.state === shown) return;
    el.progressState.dataset.state = shown;
    el.progressState.textContent = shown;
    el.progressText.textContent = progressSentence(shown, status);
  }

  function progressSentence(shown, status) {
    switch (shown) {
      case 'queued':
        return 'Queued: the emails are about to go out.';
      case 'sending':
        return `Sending to ${plural(status.recipients, 'reader')}…`;
      case 'failed':
        return `Failed: none of the ${plural(status.recipients, 'email')} could be delivered.`;
      default:
        return status.failed > 0
          ? `Done: ${status.sent} of ${plural(status.recipients, 'email')} sent, ${status.failed} failed.`
          : `Done: all ${plural(status.recipients, 'email')} sent.`;
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
