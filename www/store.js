// Automatic saves of runs in the browser's IndexedDB, so that a reload, a crash or a lost GPU
// costs no more than the last few seconds of training. Each run is kept under its settings
// (the URL-hash query that reproduces it); only the newest few runs are kept.

const DB = "webgan";
const STORE = "autosaves";
/** Runs kept; older ones are deleted when a newer one is saved. */
const KEEP = 3;

/** A request's result as a promise. */
const settle = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

async function withStore(mode, use) {
  const opening = indexedDB.open(DB, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(STORE, { keyPath: "query" }).createIndex("savedAt", "savedAt");
  const db = await settle(opening);
  try {
    const tx = db.transaction(STORE, mode);
    const result = await use(tx.objectStore(STORE));
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
    return result;
  } finally {
    db.close();
  }
}

/** Saves checkpoint `bytes` of the run with settings `query` at `step`, then forgets all but
 * the newest KEEP runs. */
export function saveRun(query, bytes, step) {
  return withStore("readwrite", async (store) => {
    store.put({ query, bytes, step, savedAt: Date.now() });
    const extra = (await settle(store.count())) - KEEP;
    if (extra <= 0) return;
    const oldest = await settle(store.index("savedAt").getAllKeys(null, extra));
    for (const key of oldest) store.delete(key);
  });
}

/** The saved run with settings `query` — `{query, bytes, step, savedAt}` — or undefined. */
export const loadRun = (query) => withStore("readonly", (store) => settle(store.get(query)));

/** Deletes the saved run with settings `query` (a damaged one). */
export const forgetRun = (query) => withStore("readwrite", (store) => void store.delete(query));
