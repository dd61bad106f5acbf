/**
 * The service worker a page registers for breaking-news pushes (GET /push/sw.js; a news
 * site serves a copy from its own origin). It shows the alert and opens the article
 * when the notification is clicked. Plain ES2017 so every browser with push runs it.
 */
export const SERVICE_WORKER = `'use strict';
self.addEventListener('push', function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  var title = typeof data.title === 'string' && data.title ? data.title : 'Breaking news';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === 'string' ? data.body : '',
      tag: typeof data.alertId === 'string' ? data.alertId : undefined,
      data: { url: typeof data.url === 'string' ? data.url : null },
    })
  );
});
self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var url = event.notification.data && event.notification.data.url;
  if (typeof url === 'string' && /^https?:\\/\\//.test(url)) event.waitUntil(self.clients.openWindow(url));
});
self.addEventListener('install', function () {
  self.skipWaiting();
});
self.addEventListener('activate', function (event) {
  event.waitUntil(self.clients.claim());
});
`;
