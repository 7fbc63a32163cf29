import { join } from 'node:path';
import type { StateStore } from './store.js';

/** Shared plumbing of one running emulator: the state, the store folder, timers and in-flight work. */
export class Runtime {
  closing = false;
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly sleepers = new Set<() => void>();

  constructor(
    readonly store: StateStore,
    readonly dataDir: string,
  ) {}

  /** The folder that holds the remote store. */
  get storeDir(): string {
    return join(this.dataDir, 'store');
  }

  /** Local path of a remote file `/<project>/<rel>`. */
  storePath(project: string, rel: string): string {
    return join(this.storeDir, project, ...rel.split('/'));
  }

  /** Runs background work, remembered so `close()` can wait for it; errors are kept off the event loop. */
  track(work: () => Promise<unknown>): void {
    const p = work().catch(() => undefined);
    this.tasks.add(p);
    void p.finally(() => this.tasks.delete(p));
  }

  /** Sleeps, waking early (resolving false) when the emulator closes. */
  sleep(ms: number): Promise<boolean> {
    if (this.closing) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.sleepers.delete(wake);
        resolve(true);
      }, ms);
      this.sleepers.add(wake);
    });
  }

  /** Stops background work and waits for it. */
  async shutdown(): Promise<void> {
    this.closing = true;
    for (const wake of [...this.sleepers]) wake();
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
    await this.store.flush();
  }
}

/** Background work done one item at a time: `kick()` starts draining the queue when the worker is idle. */
export class SerialWorker<T> {
  private running = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly next: () => T | null,
    private readonly handle: (item: T) => Promise<void>,
  ) {}

  /** Starts the worker if it is idle; it stops when `next()` has nothing more or the emulator closes. */
  kick(): void {
    if (this.running || this.runtime.closing) return;
    this.running = true;
    this.runtime.track(async () => {
      try {
        for (let item = this.next(); item && !this.runtime.closing; item = this.next()) {
          await this.handle(item);
        }
      } finally {
        this.running = false;
      }
    });
  }
}

/** Current time as ISO 8601. */
export function now(): string {
  return new Date().toISOString();
}
