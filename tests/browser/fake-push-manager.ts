/**
 * Chromium's own PushManager.subscribe cannot work on these machines: it needs Google's
 * push service (FCM), which is unreachable, and headless Chromium answers "AbortError:
 * Registration failed - permission denied" even with the permission granted (checked by
 * hand). Browser tests replace only PushManager.prototype.subscribe / getSubscription
 * (page.addInitScript) with this stand-in: it makes the subscription a browser would —
 * an ECDH P-256 key pair made with WebCrypto in the page (raw public key as p256dh), 16
 * random bytes of auth secret — with an endpoint on the loopback test push service, and
 * leaves the private key in window.__madeSubscription so that service can decrypt what
 * it receives. It also counts Notification.requestPermission calls
 * (window.__permissionRequests). Everything else is the real browser.
 */

/** What the stand-in made, read back from the page. */
export interface MadeSubscription {
  name: string;
  privateKey: string;
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
}

/** The stand-in for the browser's push service client (see above), as the page runs it before its own scripts. */
export function fakePushManager(pushOrigin: string): string {
  return `(() => {
  const pushOrigin = ${JSON.stringify(pushOrigin)};
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  let current = null;
  // Counts the permission requests the page makes: the prompt must come from a click.
  window.__permissionRequests = 0;
  const requestPermission = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => {
    window.__permissionRequests++;
    return requestPermission(...args);
  };
  PushManager.prototype.subscribe = async function subscribe(options) {
    if (Notification.permission !== 'granted') throw new DOMException('Registration failed - permission denied', 'NotAllowedError');
    if (!options || !options.userVisibleOnly || !options.applicationServerKey) throw new DOMException('userVisibleOnly and applicationServerKey are required', 'NotSupportedError');
    const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
    const p256dh = b64url(await crypto.subtle.exportKey('raw', pair.publicKey));
    const auth = b64url(crypto.getRandomValues(new Uint8Array(16)));
    const privateKey = (await crypto.subtle.exportKey('jwk', pair.privateKey)).d;
    const name = 'chromium-' + b64url(crypto.getRandomValues(new Uint8Array(6)));
    const endpoint = pushOrigin + '/push/' + name;
    const key = options.applicationServerKey;
    const json = { endpoint, expirationTime: null, keys: { p256dh, auth } };
    current = {
      endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true, applicationServerKey: key.buffer || key },
      getKey: () => null,
      toJSON: () => json,
      unsubscribe: async () => {
        current = null;
        return true;
      },
    };
    window.__madeSubscription = { name, privateKey, subscription: json };
    return current;
  };
  PushManager.prototype.getSubscription = async function getSubscription() {
    return current;
  };
})();`;
}
