import { networkInterfaces } from 'node:os';

/** What the request guard lets in besides the loopback names. */
export interface GuardOptions {
  /** The interface the server is bound to (`127.0.0.1`, `::1`, `0.0.0.0`, a name...). */
  host: string;
  /** Extra `Host` values: a name (`envoy.test`, any port the server listens on) or `name:port`. */
  allowedHosts?: readonly string[];
  /** Web origins allowed to call (`http://localhost:3000`); every other `Origin` is refused. */
  allowedOrigins?: readonly string[];
}

/** Why a request is refused, or null when it may go on. */
export type GuardVerdict = { refuse: string } | { origin: string | null };

/** `name` and `port` of a `Host` header value (`[::1]:8090`, `localhost:8090`, `localhost`). */
export function splitHost(value: string): { name: string; port: string | null } | null {
  const v = value.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(v);
  if (!m?.[1]) return null;
  return { name: m[1], port: m[2] ?? null };
}

/** A web origin in the form browsers send it: lower case, no trailing slash. */
export function normalOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

/**
 * What is wrong with the hosts and origins a guard is given, one message each (none when all are usable): an
 * origin is `scheme://host[:port]` as a browser sends it, a host is `name` or `name:port`. A value that matched
 * nothing would otherwise be kept silently, and the page or client it was meant for refused.
 */
export function guardOptionProblems(options: {
  readonly allowedHosts?: readonly string[] | undefined;
  readonly allowedOrigins?: readonly string[] | undefined;
}): string[] {
  const problems: string[] = [];
  for (const origin of options.allowedOrigins ?? []) {
    if (typeof origin !== 'string' || !/^https?:\/\/[^/\s?#@]+$/i.test(origin.trim().replace(/\/+$/, ''))) {
      problems.push(
        `allow-origin ${JSON.stringify(origin)} is not a web origin: give scheme://host[:port], e.g. http://localhost:3000`,
      );
    }
  }
  for (const host of options.allowedHosts ?? []) {
    if (typeof host !== 'string' || splitHost(host) === null) {
      problems.push(
        `allow-host ${JSON.stringify(host)} is not a host: give a name or name:port, e.g. envoy.test:8090`,
      );
    }
  }
  return problems;
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]', '']);

/** The names a request may address the server by, beyond the explicit ones. */
function hostNames(bound: string): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  const b = bound.toLowerCase();
  if (WILDCARD.has(b)) {
    // Bound to every interface: each interface address reaches it (an IP literal cannot be rebound by DNS).
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) names.add(a.family === 'IPv6' ? `[${a.address.toLowerCase()}]` : a.address);
    }
  } else {
    names.add(b.includes(':') && !b.startsWith('[') ? `[${b}]` : b);
  }
  return names;
}

/**
 * Builds the check every request passes before anything else: its `Host` must name this server (so a web page
 * cannot reach it through DNS rebinding), and an `Origin` or a cross-site fetch must come from an allowed
 * origin (so a web page cannot post to it).
 */
export function requestGuard(
  options: GuardOptions,
): (headers: Readonly<Record<string, string | string[] | undefined>>, port: number) => GuardVerdict {
  const names = hostNames(options.host);
  const exact = new Set<string>();
  for (const entry of options.allowedHosts ?? []) {
    const h = splitHost(entry);
    if (!h) continue;
    if (h.port) exact.add(`${h.name}:${h.port}`);
    else names.add(h.name);
  }
  const origins = new Set((options.allowedOrigins ?? []).map(normalOrigin));
  return (headers, port) => {
    const hostHeader = headers.host;
    const host = typeof hostHeader === 'string' ? splitHost(hostHeader) : null;
    const portOk = host !== null && (host.port === String(port) || (host.port === null && port === 80));
    const hostOk =
      host !== null && ((portOk && names.has(host.name)) || exact.has(`${host.name}:${host.port}`));
    if (!hostOk) {
      return {
        refuse: `Host ${JSON.stringify(hostHeader ?? '')} is not this service's address; use localhost:${port} or start it with allowedHosts (--allow-host)`,
      };
    }
    const originHeader = headers.origin;
    if (originHeader !== undefined) {
      const origin = normalOrigin(Array.isArray(originHeader) ? originHeader.join(',') : originHeader);
      if (!origins.has(origin)) {
        return {
          refuse: `requests from web origin ${origin} are refused; start the service with allowedOrigins (--allow-origin) to let it in`,
        };
      }
      return { origin };
    }
    const site = headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return { refuse: 'cross-site requests from web pages are refused' };
    }
    return { origin: null };
  };
}
