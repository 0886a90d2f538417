// The service worker that lets webgan open and train offline after the first visit. When it is
// installed it caches every file the page needs (the list build.sh writes); afterwards it answers
// from the network when it can, so a new build is seen at once, and from the cache when it cannot.
// Every path is relative to this file, so the page works under any sub-path of any static host.
const CACHE = "webgan";

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const files = await (await fetch("www/pkg/precache.json", { cache: "no-store" })).json();
      const cache = await caches.open(CACHE);
      await cache.addAll(["./", ...files]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || !request.url.startsWith(self.registration.scope)) return;
  event.respondWith(
    (async () => {
      try {
        const response = await fetch(request);
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
        }
        return response;
      } catch (offline) {
        const cached = await caches.match(request);
        if (cached) return cached;
        throw offline;
      }
    })(),
  );
});
