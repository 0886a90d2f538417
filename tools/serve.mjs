// A static file server for the page: the right MIME types for .wasm and ES modules, every
// response revalidated before use (no-cache with an ETag, so a rebuild is seen on reload while an
// unchanged file costs a 304), and nothing outside the repository is ever served. The repository
// can be mounted under a sub-path, as a course site would host it.
//
// usage: node tools/serve.mjs [port] [host] [prefix]     (defaults: 8080 127.0.0.1 /)
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, join, normalize, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm",
  ".png": "image/png", ".svg": "image/svg+xml", ".gz": "application/octet-stream", ".br": "application/octet-stream", ".ico": "image/x-icon",
};

/** Starts serving the repository at `prefix` (a path ending in "/"); resolves to the server once
 * it listens. Port 0 picks a free port. For tests: `log`, an array, gets `{path, status, bytes}`
 * for each request (`path` relative to the repository, body bytes sent), and `override`, a Map
 * from such paths to text, serves that text instead of the file (as a new build would). */
export function serve(port = 8080, host = "127.0.0.1", prefix = "/", { log, override } = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const entry = { path, status: 404, bytes: 0 };
    log?.push(entry);
    if (!path.startsWith(prefix)) return void res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}\n`);
    let file = normalize(join(ROOT, path.slice(prefix.length)));
    if (!file.startsWith(ROOT)) return void res.writeHead(entry.status = 403).end();
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      const { size, mtimeMs } = statSync(file);
      entry.path = relative(ROOT, file);
      const type = TYPES[extname(file)] || "application/octet-stream";
      if (override?.has(entry.path)) {
        const body = Buffer.from(override.get(entry.path));
        Object.assign(entry, { status: 200, bytes: body.length });
        return void res.writeHead(200, { "content-type": type, "content-length": body.length, "cache-control": "no-cache" }).end(body);
      }
      const etag = `"${size.toString(16)}-${Math.round(mtimeMs).toString(16)}"`;
      if (req.headers["if-none-match"] === etag) return void res.writeHead(entry.status = 304, { etag, "cache-control": "no-cache" }).end();
      res.writeHead(entry.status = 200, { "content-type": type, "content-length": size, "cache-control": "no-cache", etag });
      createReadStream(file).on("data", (chunk) => { entry.bytes += chunk.length; }).pipe(res);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}\n`);
    }
  });
  return new Promise((ok) => server.listen(port, host, () => ok(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [port = "8080", host = "127.0.0.1", prefix = "/"] = process.argv.slice(2);
  serve(Number(port), host, prefix).then((s) => console.log(`webgan is served on http://${host}:${s.address().port}${prefix}`));
}
