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

/**
 * Background work drained by up to `lanes()` loops at once (one by default): `kick()` starts loops up to that
 * number. `next()` must not hand out an item another loop is handling (`handle` marks it synchronously).
 */
export class SerialWorker<T> {
  private running = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly next: () => T | null,
    private readonly handle: (item: T) => Promise<void>,
    private readonly lanes: () => number = () => 1,
  ) {}

  /** Starts loops while fewer than `lanes()` run; each stops when `next()` has nothing more or the emulator closes. */
  kick(): void {
    while (this.running < this.lanes() && !this.runtime.closing) {
      const item = this.next();
      if (!item) return;
      this.running++;
      this.runtime.track(async () => {
        try {
          for (let it: T | null = item; it && !this.runtime.closing; it = this.next()) {
            await this.handle(it);
          }
        } finally {
          this.running--;
        }
      });
    }
  }
}

/** Current time as ISO 8601. */
export function now(): string {
  return new Date().toISOString();
}
