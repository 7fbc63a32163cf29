import { contractProblems, loadContract } from '../contract.js';

/** One request a client sent, as the inspector shows it. */
export interface LoggedRequest {
  /** Sequence number, from 1. */
  id: number;
  /** When it arrived, ISO 8601. */
  at: string;
  method: string;
  /** The path, its query string replaced (a client could put a key there). */
  path: string;
  status: number;
  /** Milliseconds from its arrival to the end of the answer. */
  ms: number;
  /** The request body with secrets redacted (text, at most {@link MAX_BODY} characters), or null. */
  request: string | null;
  /** The answer body with secrets redacted (text, at most {@link MAX_BODY} characters), or null. */
  answer: string | null;
  /** What the contract (`openapi/envoy.yaml`) says is wrong with the request or the answer; empty when none. */
  problems: string[];
}

/** Most characters of a body kept in the log. */
export const MAX_BODY = 64 * 1024;
/** Most requests the log keeps (the oldest go first). */
export const MAX_ENTRIES = 500;

/** Keys whose values are secrets: never kept, whatever their case or separators. */
const SECRET =
  /^(access[-_ ]?key|password|passwd|secret|token|api[-_ ]?key|authorization|auth|credentials?)$/i;

/** A copy of a JSON value with every secret's value replaced by `[redacted]`. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET.test(k) ? '[redacted]' : redact(v);
    return out;
  }
  return value;
}

/** A body as the log keeps it: JSON pretty-printed and redacted; other text cut short; nothing when empty. */
export function bodyText(raw: string | undefined): { text: string | null; json: unknown } {
  if (raw === undefined || raw === '') return { text: null, json: undefined };
  try {
    const json = JSON.parse(raw) as unknown;
    const text = JSON.stringify(redact(json), null, 2);
    return { text: text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}\n… (cut short)` : text, json };
  } catch {
    // A body that is not JSON may still hold a key: only its size is shown.
    return { text: `(${raw.length} characters that are not JSON; not shown)`, json: undefined };
  }
}

type Operation = {
  requestBody?: { content?: Record<string, unknown> };
  responses: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
};
type Contract = {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, { content?: Record<string, unknown> }> };
};

const pointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The contract's path templates as matchers, in the contract's order. */
let templates: { template: string; re: RegExp }[] | null = null;
let contract: Contract | null = null;

function templateOf(path: string): string | undefined {
  contract ??= loadContract() as Contract;
  templates ??= Object.keys(contract.paths).map((template) => ({
    template,
    re: new RegExp(`^${template.replace(/[.+*?^$()[\]|\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
  }));
  return templates.find((t) => t.re.test(path))?.template;
}

/**
 * What the contract says of one exchange: the request body against the operation's schema, and the answer
 * against the schema of its status and content type. A path or method the contract does not have is one problem.
 */
export function exchangeProblems(
  method: string,
  path: string,
  request: unknown,
  status: number,
  contentType: string,
  answer: unknown,
): string[] {
  const bare = path.split('?')[0] ?? path;
  const template = templateOf(bare);
  if (!template) return [`${method} ${bare} is not a path of the contract`];
  const m = method.toLowerCase();
  const op = (contract as Contract).paths[template]?.[m];
  if (!op) return [`${method} is not a method of ${template} in the contract`];
  const problems: string[] = [];
  const base = `contract#/paths/${pointer(template)}/${m}`;
  if (op.requestBody?.content?.['application/json'] && request !== undefined) {
    for (const p of contractProblems(
      { $ref: `${base}/requestBody/content/application~1json/schema` },
      request,
    )) {
      problems.push(`request ${p}`);
    }
  }
  let response = op.responses[String(status)] ?? op.responses.default;
  let ref = `${base}/responses/${op.responses[String(status)] ? status : 'default'}`;
  if (!response)
    return [...problems, `answer status ${status} is not in the contract for ${method} ${template}`];
  if (response.$ref) {
    const name = response.$ref.split('/').pop() as string;
    response = (contract as Contract).components.responses[name] ?? {};
    ref = `contract#/components/responses/${name}`;
  }
  const media = contentType.split(';')[0]?.trim() ?? '';
  const types = Object.keys(response.content ?? {});
  if (types.length === 0) return problems;
  if (!types.includes(media)) {
    problems.push(`answer content type ${media || 'none'} is not one of ${types.join(', ')}`);
    return problems;
  }
  if (media === 'application/json') {
    if (answer === undefined) problems.push('answer is not JSON');
    else {
      for (const p of contractProblems({ $ref: `${ref}/content/application~1json/schema` }, answer)) {
        problems.push(`answer ${p}`);
      }
    }
  }
  return problems;
}

/** One exchange as it was recorded: its bodies as sent, redacted and checked only when someone looks. */
interface Recorded {
  id: number;
  at: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  request: string | undefined;
  answer: string | undefined;
  contentType: string;
  /** Characters of a body too large to keep (its text is dropped), by which body. */
  dropped?: { request?: number; answer?: number };
  /** The entry as the inspector shows it, once made. */
  shown?: LoggedRequest;
}

/**
 * The requests clients sent, newest last (the last {@link MAX_ENTRIES}). Recording one costs a push: bodies are
 * redacted and checked against the contract only when a page asks for them, so nobody pays for it unwatched.
 */
export class RequestLog {
  private readonly recorded: Recorded[] = [];
  private next = 1;
  private readonly listeners = new Set<(id: number) => void>();

  /** Records one exchange (bodies as sent; bodies over {@link MAX_BODY} × 4 characters are kept in part). */
  add(e: {
    at: string;
    method: string;
    path: string;
    status: number;
    ms: number;
    request: string | undefined;
    answer: string | undefined;
    contentType: string;
  }): number {
    const id = this.next++;
    const r: Recorded = { ...e, id, ms: Math.round(e.ms * 10) / 10 };
    // A file listing of a big job can run to many MiB: such bodies are not kept (nor checked).
    for (const k of ['request', 'answer'] as const) {
      const length = r[k]?.length ?? 0;
      if (length > MAX_BODY * 4) {
        r.dropped = { ...r.dropped, [k]: length };
        r[k] = undefined;
      }
    }
    this.recorded.push(r);
    if (this.recorded.length > MAX_ENTRIES) this.recorded.splice(0, this.recorded.length - MAX_ENTRIES);
    for (const l of this.listeners) l(id);
    return id;
  }

  /** An entry as the inspector shows it (redacted, checked), or undefined when the log no longer holds it. */
  get(id: number): LoggedRequest | undefined {
    const r = this.recorded.find((x) => x.id === id);
    return r ? this.show(r) : undefined;
  }

  /** Every entry the log holds, oldest first, as the inspector shows them. */
  all(): LoggedRequest[] {
    return this.recorded.map((r) => this.show(r));
  }

  /** Calls `listener` with the id of each new entry; returns the function that stops it. */
  listen(listener: (id: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private show(r: Recorded): LoggedRequest {
    if (r.shown) return r.shown;
    const req = bodyText(r.request);
    const ans = bodyText(r.answer);
    const dropped = (n: number | undefined): string | null =>
      n === undefined ? null : `(${n} characters: too large to keep)`;
    const checkable = r.dropped === undefined;
    r.shown = {
      id: r.id,
      at: r.at,
      method: r.method,
      path: r.path,
      status: r.status,
      ms: r.ms,
      request: dropped(r.dropped?.request) ?? req.text,
      answer: dropped(r.dropped?.answer) ?? ans.text,
      problems: checkable
        ? exchangeProblems(r.method, r.path, req.json, r.status, r.contentType, ans.json)
        : ['a body too large to keep was not checked against the contract'],
    };
    // The raw bodies are no longer needed.
    r.request = undefined;
    r.answer = undefined;
    return r.shown;
  }
}
