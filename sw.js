// The service worker that lets webgan open and train with no network after the first visit, and
// that downloads each file of a build once. www/pkg/precache.js, written by build.sh, names the
// build (a hash of its files) and lists every file the page needs with its SHA-256. Installing
// keeps those files in the cache `webgan-<version>`, taking each from wherever it already is (that
// cache, which the training worker fills as it loads: www/worker.js; an earlier build's cache; the
// HTTP cache) before the network, and never keeping a copy whose bytes are not the listed ones.
// The page's requests for them are then answered from that cache alone.
//
// A new build is noticed as any new service worker is: browsers compare this script and the
// scripts it imports byte for byte with the running ones (at each visit, and when the page asks:
// www/app.js), and precache.js differs from build to build. The new worker installs beside the
// running one and waits: the page offers a reload, and only then (or once every tab of the old
// build is closed) does it take over and delete the older builds' caches. Every path is relative
// to this file, so the page works under any sub-path of any static host.
importScripts("www/pkg/precache.js");

const { version, files } = self.PRECACHE;
const CACHE = `webgan-${version}`;
/** Caches of webgan builds: `webgan-<version>`, and `webgan` of the builds before versions. */
const OURS = /^webgan(-|$)/;
/** This build's files by path (relative to this script) with their SHA-256 in hex. */
const FILES = new Map(Object.entries(files));
/** The list itself: the training worker imports it too, so it is kept (its text, rebuilt). */
const MANIFEST = "www/pkg/precache.js";
const BASE = new URL("./", self.location.href).href;
const INDEX = new URL("index.html", BASE).href;

/** The SHA-256 of a response's body, in hex. */
async function sha256(response) {
  const digest = await crypto.subtle.digest("SHA-256", await response.clone().arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A response whose body is the file at `url` with SHA-256 `hash`: from an earlier build's cache,
 * else from the HTTP cache (where the page's own loads of this visit are; the page itself under
 * its directory's URL), else from the network. */
async function copyOf(url, hash) {
  for (const name of await caches.keys()) {
    if (!OURS.test(name) || name === CACHE) continue;
    const kept = await caches.match(url, { cacheName: name });
    if (kept && (await sha256(kept)) === hash) return kept;
  }
  for (const alias of url === INDEX ? [url, BASE] : [url]) {
    const cached = await fetch(alias, { cache: "only-if-cached", mode: "same-origin" }).catch(() => null);
    if (cached?.ok && (await sha256(cached)) === hash) return cached;
  }
  const response = await fetch(url, { cache: "no-cache" });
  if (response.ok && (await sha256(response)) === hash) return response;
  throw new Error(`${url} on the host is not the file of build ${version}`);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await Promise.all(
        [...FILES].map(async ([path, hash]) => {
          const url = new URL(path, BASE).href;
          const own = await cache.match(url);
          if (!own || (await sha256(own)) !== hash) await cache.put(url, await copyOf(url, hash));
        }),
      );
      const text = `self.PRECACHE = ${JSON.stringify(self.PRECACHE)};\n`;
      await cache.put(new URL(MANIFEST, BASE).href, new Response(text, { headers: { "content-type": "text/javascript; charset=utf-8" } }));
    })(),
  );
});

// The page's reload button: take over now instead of when every tab of the old build is closed.
self.addEventListener("message", (event) => {
  if (event.data === "activate") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (OURS.test(name) && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  const where = url.origin + url.pathname;
  if (request.method !== "GET" || !where.startsWith(BASE)) return;
  const path = where.slice(BASE.length) || "index.html";
  if (path !== MANIFEST && !FILES.has(path)) return;
  event.respondWith(
    caches.match(new URL(path, BASE).href, { cacheName: CACHE }).then((cached) => cached || fetch(request)),
  );
});
