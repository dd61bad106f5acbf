import { checkPushEndpoint, isAllowedHost } from './push-endpoint';

describe(checkPushEndpoint.name, () => {
  const hosts = ['fcm.googleapis.com', 'updates.push.services.mozilla.com', '*.notify.windows.com', '127.0.0.1'];
  const sut = (endpoint: unknown) => checkPushEndpoint(endpoint, hosts);

  it.each([
    'https://fcm.googleapis.com/fcm/send/dGVzdA:APA91bH',
    'https://updates.push.services.mozilla.com/wpush/v2/gAAAAABl',
    'https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB',
    'https://127.0.0.1:8443/push/abc',
  ])('accepts %s', (endpoint) => {
    expect(sut(endpoint)).toEqual({ ok: true, endpoint });
  });

  it.each([
    ['http, not https', 'http://fcm.googleapis.com/fcm/send/x'],
    ['another host', 'https://evil.example.com/fcm/send/x'],
    ['a host that only ends like an allowed one', 'https://evilfcm.googleapis.com/x'],
    ['an allowed name as a subdomain of another', 'https://fcm.googleapis.com.evil.example/x'],
    ['the bare domain of a wildcard', 'https://notify.windows.com/x'],
    ['userinfo that names an allowed host', 'https://fcm.googleapis.com@evil.example.com/x'],
    ['userinfo in front of an allowed host', 'https://evil.example.com@fcm.googleapis.com/x'],
    ['a backslash the parsers read differently', 'https://evil.example.com\\@fcm.googleapis.com/x'],
    ['an IP address not listed', 'https://10.0.0.1/x'],
    ['loopback under another spelling', 'https://127.1/x'],
    ['an IPv6 literal', 'https://[::1]/x'],
    ['an upper-case spelling (not canonical)', 'https://FCM.googleapis.com/x'],
    ['a percent-encoded host', 'https://fcm%2egoogleapis.com/x'],
    ['a trailing-dot host', 'https://fcm.googleapis.com./x'],
    ['another scheme', 'file:///etc/passwd'],
    ['not a URL', 'fcm.googleapis.com/x'],
    ['not a string', 42],
    ['too long', `https://fcm.googleapis.com/${'a'.repeat(2100)}`],
  ])('refuses %s', (_why, endpoint) => {
    expect(sut(endpoint)).toEqual({ ok: false, reason: expect.stringMatching(/^subscription\.endpoint: /) });
  });
});

describe(isAllowedHost.name, () => {
  it('matches a wildcard only below its domain and never an address', () => {
    expect(isAllowedHost('a.notify.windows.com', ['*.notify.windows.com'])).toBe(true);
    expect(isAllowedHost('notify.windows.com', ['*.notify.windows.com'])).toBe(false);
    expect(isAllowedHost('1.2.3.4', ['*.4'])).toBe(false);
  });
});
