// What the page's scripts share through globals, for the type check (tsconfig.json); the
// browser never loads this file.

interface Window {
  /** The page's interface for scripts and tests (app.js): its state and two fault injections. */
  webgan: {
    status: () => Record<string, unknown>;
    curveSteps: () => number[];
    loseGpuDevice?: () => void;
    crashWorker?: () => void;
    /** "Check this computer" (views/bench.js): the report of its runs, `{lines, verdict, sentence}`. */
    benchmark?: (options?: { seconds?: number }) => Promise<object>;
  };
}

/** This build's version and its files with their SHA-256 (www/pkg/precache.js, which build.sh
 * writes and sw.js and the worker import). */
declare var PRECACHE: { version: string; files: Record<string, string> };
/** precache.js sets PRECACHE and exports nothing; before a build it does not exist yet. */
declare module "*/precache.js";
