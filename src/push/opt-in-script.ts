/**
 * The push opt-in control, as one browser script used twice: by Dispatch's own pages
 * (/assets/push.js) and by a news site's pages (GET /push/subscribe.js; see
 * docs/web-push-snippet.md). It enhances every element marked `data-dispatch-push`:
 *
 * - `data-dispatch-url`: Dispatch's origin (empty: this page's origin);
 * - `data-worker`: the service worker's URL on this page's origin (default: Dispatch's /push/sw.js);
 * - `data-tags="a,b"`: the topics, or `data-tags-from="<form id>"`: the topics ticked in that form;
 * - `data-keep-tags`: `data-tags` are the reader's saved topics (the preferences page), so a
 *   subscription this browser holds on other topics is moved to them when the page loads;
 * - inside it, a `[data-push-toggle]` button and a `[data-push-status]` line.
 *
 * Permission is asked for in the click handler only, never on load. The subscription's
 * id and token are kept in localStorage, so the same browser can turn it off later
 * without an email address. Plain ES2017 without build step; no inline code (CSP).
 */
export const PUSH_OPT_IN_JS = `(function () {
  'use strict';
  var STORAGE_PREFIX = 'dispatch.push:';

  function supported() {
    return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window && window.isSecureContext;
  }

  function trimSlash(url) {
    while (url.charAt(url.length - 1) === '/') url = url.slice(0, -1);
    return url;
  }

  function normalizeTag(tag) {
    var t = String(tag).trim().toLowerCase();
    return t.charAt(0) === '#' ? t.slice(1) : t;
  }

  function uniqueTags(list) {
    var seen = {};
    var out = [];
    for (var i = 0; i < list.length; i++) {
      var tag = normalizeTag(list[i]);
      if (tag && !seen[tag]) {
        seen[tag] = true;
        out.push(tag);
      }
    }
    return out;
  }

  function keyBytes(base64url) {
    var base64 = base64url.split('-').join('+').split('_').join('/');
    while (base64.length % 4) base64 += '=';
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function sameBytes(buffer, bytes) {
    if (!buffer) return false;
    var a = new Uint8Array(buffer);
    if (a.length !== bytes.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== bytes[i]) return false;
    return true;
  }

  /** A worker registered outside this page's scope never controls it: wait for the registration's own worker. */
  function activated(registration) {
    if (registration.active) return Promise.resolve(registration);
    var worker = registration.installing || registration.waiting;
    return new Promise(function (resolve, reject) {
      if (!worker) return reject(new Error('the service worker did not install'));
      worker.addEventListener('statechange', function () {
        if (worker.state === 'activated') resolve(registration);
        else if (worker.state === 'redundant') reject(new Error('the service worker did not install'));
      });
    });
  }

  function Control(root) {
    this.root = root;
    this.api = trimSlash(root.getAttribute('data-dispatch-url') || '');
    this.worker = root.getAttribute('data-worker') || this.api + '/push/sw.js';
    this.button = root.querySelector('[data-push-toggle]');
    this.status = root.querySelector('[data-push-status]');
    this.storageKey = STORAGE_PREFIX + (this.api || location.origin);
    this.busy = false;
  }

  Control.prototype.tags = function () {
    var fixed = this.root.getAttribute('data-tags');
    if (fixed !== null) return uniqueTags(fixed.split(','));
    var form = document.getElementById(this.root.getAttribute('data-tags-from') || '');
    if (!form) return [];
    var list = [];
    var boxes = form.querySelectorAll('input[name="tags"]:checked');
    for (var i = 0; i < boxes.length; i++) list.push(boxes[i].value);
    var other = form.querySelector('input[name="otherTags"]');
    if (other && other.value) list = list.concat(other.value.split(','));
    return uniqueTags(list);
  };

  Control.prototype.stored = function () {
    try {
      var value = JSON.parse(localStorage.getItem(this.storageKey) || 'null');
      return value && typeof value.id === 'string' && typeof value.token === 'string' ? value : null;
    } catch (error) {
      return null;
    }
  };

  Control.prototype.store = function (value) {
    try {
      if (value) localStorage.setItem(this.storageKey, JSON.stringify(value));
      else localStorage.removeItem(this.storageKey);
    } catch (error) {
      // Storage refused (private mode): this page can still turn it off until it is closed.
    }
    this.memory = value;
  };

  Control.prototype.current = function () {
    return this.stored() || this.memory || null;
  };

  Control.prototype.show = function (state, message) {
    this.root.setAttribute('data-push-state', state);
    this.status.textContent = message;
    var button = this.button;
    button.hidden = state === 'unsupported' || state === 'denied';
    button.disabled = this.busy;
    button.textContent = state === 'on' ? 'Turn off on this device' : 'Turn on for this device';
    button.setAttribute('aria-pressed', state === 'on' ? 'true' : 'false');
  };

  Control.prototype.render = function () {
    var current = this.current();
    if (!supported()) return this.show('unsupported', 'This browser cannot show breaking news notifications.');
    if (current) return this.show('on', 'On: breaking news on ' + hashTags(current.tags) + ' appears on this device.');
    if (Notification.permission === 'denied') {
      return this.show('denied', 'Notifications are blocked for this site. Allow them in your browser’s site settings, then reload this page.');
    }
    this.show('off', 'Off. Turn it on to get a notification on this device when we send breaking news.');
  };

  Control.prototype.request = function (path, options) {
    return fetch(this.api + path, {
      method: options.method,
      headers: options.body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
      body: options.body ? JSON.stringify(options.body) : undefined,
      credentials: 'omit',
      cache: 'no-store',
    }).then(
      function (response) {
        if (response.ok) return response.status === 204 ? null : response.json();
        return response.json().then(
          function (body) { throw problem(response.status, body && body.message); },
          function () { throw problem(response.status, null); }
        );
      },
      function () {
        throw new Error('The news service could not be reached. Check your connection and try again.');
      }
    );
  };

  Control.prototype.turnOn = function () {
    var self = this;
    var tags = this.tags();
    if (tags.length === 0) return Promise.resolve(this.show('off', 'Pick at least one topic above first.'));
    // Asked here, in the click, and nowhere else: a prompt nobody asked for gets blocked.
    return Notification.requestPermission().then(function (permission) {
      if (permission !== 'granted') {
        self.render();
        if (permission === 'default') self.show('off', 'Notifications were not allowed, so nothing changed. Try again when you are ready.');
        return null;
      }
      self.show('busy', 'Turning on…');
      return navigator.serviceWorker
        .register(self.worker)
        .then(activated)
        .then(function (registration) {
          return self.request('/push/key', { method: 'GET' }).then(function (answer) {
            return subscribe(registration.pushManager, keyBytes(answer.publicKey));
          });
        })
        .then(function (subscription) {
          return self.request('/push/subscriptions', { method: 'POST', body: { subscription: subscription.toJSON(), tags: tags } });
        })
        .then(function (created) {
          self.store({ id: created.id, token: created.token, tags: tags });
          self.render();
        });
    });
  };

  Control.prototype.turnOff = function () {
    var self = this;
    var current = this.current();
    self.show('busy', 'Turning off…');
    var path = '/push/subscriptions/' + encodeURIComponent(current.id) + '?token=' + encodeURIComponent(current.token);
    return this.request(path, { method: 'DELETE' })
      .catch(function (error) {
        // Already removed (expired at the push service, or refused token): it is off either way.
        if (error.status !== 403 && error.status !== 404) throw error;
      })
      .then(function () {
        self.store(null);
        return navigator.serviceWorker.getRegistration(self.worker);
      })
      .then(function (registration) {
        return registration ? registration.pushManager.getSubscription() : null;
      })
      .then(function (subscription) {
        return subscription ? subscription.unsubscribe() : null;
      })
      .then(function () {
        self.render();
      });
  };

  /** The reader saved other topics since this browser subscribed: follow them (a PUT with the subscription's token). */
  Control.prototype.keepTags = function () {
    var self = this;
    var current = this.current();
    var tags = this.tags();
    if (!current || tags.length === 0 || sameTags(current.tags || [], tags)) return;
    var path = '/push/subscriptions/' + encodeURIComponent(current.id) + '?token=' + encodeURIComponent(current.token);
    this.request(path, { method: 'PUT', body: { tags: tags } }).then(
      function () {
        self.store({ id: current.id, token: current.token, tags: tags });
        self.render();
      },
      function (error) {
        // Removed meanwhile (the push service said it expired): this device has no push any more.
        if (error.status === 404) {
          self.store(null);
          self.render();
        }
      }
    );
  };

  Control.prototype.toggle = function () {
    var self = this;
    if (this.busy) return;
    this.busy = true;
    var action = this.current() ? this.turnOff() : this.turnOn();
    action.then(
      function () {
        self.busy = false;
        self.button.disabled = false;
      },
      function (error) {
        self.busy = false;
        self.render();
        self.status.textContent = explain(error);
      }
    );
  };

  function subscribe(pushManager, applicationServerKey) {
    return pushManager.getSubscription().then(function (existing) {
      if (existing && sameBytes(existing.options && existing.options.applicationServerKey, applicationServerKey)) return existing;
      var cleared = existing ? existing.unsubscribe() : Promise.resolve(true);
      return cleared.then(function () {
        return pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: applicationServerKey });
      });
    });
  }

  function problem(status, message) {
    var error = new Error(typeof message === 'string' ? message : 'The news service answered ' + status + '.');
    error.status = status;
    return error;
  }

  function explain(error) {
    if (error && error.status === 429) return 'Too many attempts from your network. Please try again in a few minutes.';
    if (error && error.status === 400) return 'That did not work: ' + error.message;
    if (error && error.name === 'NotAllowedError') return 'Notifications are blocked for this site. Allow them in your browser’s site settings.';
    if (error && error.name === 'AbortError') return 'Your browser’s push service could not be reached. Please try again later.';
    return 'That did not work: ' + (error && error.message ? error.message : 'unknown error') + ' Nothing changed.';
  }

  function sameTags(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (b.indexOf(a[i]) < 0) return false;
    return true;
  }

  function hashTags(tags) {
    return (tags || []).map(function (tag) { return '#' + tag; }).join(', ');
  }

  function start() {
    var roots = document.querySelectorAll('[data-dispatch-push]');
    for (var i = 0; i < roots.length; i++) {
      var control = new Control(roots[i]);
      if (!control.button || !control.status) continue;
      control.button.addEventListener('click', control.toggle.bind(control));
      control.render();
      if (control.root.hasAttribute('data-keep-tags')) control.keepTags();
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
