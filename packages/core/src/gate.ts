/**
 * Envoy holds one login for every program that talks to it: operations of clients for different accounts on the
 * same Envoy must not interleave. This module lets them take turns within one process, and (through `#disk`)
 * between processes.
 *
 * @module
 */
import { takeTurn } from '#disk';

/** Who is using one Envoy (by URL) in this process: the account and how many of its operations run. */
interface Gate {
  account: string;
  active: number;
  waiting: { account: string; enter: () => void }[];
}

const gates = new Map<string, Gate>();

/**
 * Which Envoy a URL names: its port. Envoy is a service of the user's own machine, and one machine has many names
 * for itself (`localhost`, `127.0.0.1`, `[::1]`, its host name): two clients naming it differently must still take
 * turns. Two Envoys on one port of different hosts merely take turns too.
 */
function envoyKey(url: string): string {
  const u = new URL(url);
  // No port: the scheme's own (80 or 443), told apart by the scheme.
  return u.port || u.protocol;
}

/**
 * Waits until operations of `account` may run on the Envoy at `url`: at once when none run or the running ones are
 * of the same account (and no other account waits); otherwise after them, in arrival order. Resolves to the
 * function that ends the operation; `signal` ends the wait with its reason.
 */
export function enterGate(url: string, account: string, signal?: AbortSignal): Promise<() => void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const key = envoyKey(url);
  let gate = gates.get(key);
  if (!gate) {
    gate = { account, active: 0, waiting: [] };
    gates.set(key, gate);
  }
  const g = gate;
  const leave = () => {
    g.active--;
    if (g.active > 0) return;
    const next = g.waiting[0];
    if (!next) {
      gates.delete(key);
      return;
    }
    g.account = next.account;
    // Every waiting operation of the next account goes in together.
    const going = g.waiting.filter((w) => w.account === next.account);
    g.waiting = g.waiting.filter((w) => w.account !== next.account);
    g.active += going.length;
    for (const w of going) w.enter();
  };
  if (g.active === 0 || (g.account === account && g.waiting.length === 0)) {
    g.account = account;
    g.active++;
    return Promise.resolve(leave);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      g.waiting = g.waiting.filter((w) => w !== waiter);
      reject(signal?.reason);
    };
    const waiter = {
      account,
      enter: () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(leave);
      },
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    g.waiting.push(waiter);
  });
}

/**
 * Waits for this process's turn ({@link enterGate}), then, where the runtime has processes and a disk (Node), for
 * the turn between processes: no operation of another account runs on this Envoy in any of this user's processes
 * (a `gm` command in another terminal, another tool). Resolves to the function that ends the operation.
 *
 * @param signal - aborts the wait with the signal's reason
 */
export async function enterOperation(
  url: string,
  account: string,
  signal?: AbortSignal,
): Promise<() => void> {
  const leave = await enterGate(url, account, signal);
  if (!takeTurn) return leave;
  try {
    const end = await takeTurn(envoyKey(url), account, signal);
    return () => {
      end();
      leave();
    };
  } catch (error) {
    leave();
    throw error;
  }
}
