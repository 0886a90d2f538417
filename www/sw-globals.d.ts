// sw.js runs as a service worker, while the webworker library types `self` as any worker's
// scope: these are the members of a service worker's scope that sw.js uses, for the type check
// of sw.js (tsconfig.sw.json). The browser never loads this file.
interface WorkerGlobalScope {
  readonly registration: ServiceWorkerRegistration;
  readonly clients: Clients;
  skipWaiting(): Promise<void>;
  addEventListener<K extends keyof ServiceWorkerGlobalScopeEventMap>(
    type: K,
    listener: (this: ServiceWorkerGlobalScope, event: ServiceWorkerGlobalScopeEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
}
