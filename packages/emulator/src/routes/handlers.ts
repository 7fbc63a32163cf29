import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody, FieldError, operations, ValidationErrorBody } from '../generated/envoy.js';

/** An operation of the contract (`openapi/envoy.yaml`), by its `operationId`. */
export type OperationId = keyof operations;

/** `T`, or an empty record when the contract gives the operation none of that part (`never`). */
type OrNone<T> = [T] extends [never] ? Record<string, never> : T;

/** The path parameters of an operation, as the contract declares them. */
export type PathOf<K extends OperationId> = OrNone<NonNullable<operations[K]['parameters']['path']>>;

/** The query parameters of an operation, as the contract declares them. */
export type QueryOf<K extends OperationId> = OrNone<NonNullable<operations[K]['parameters']['query']>>;

/** The JSON body of an operation's request, as the contract declares it; `undefined` when it takes none. */
export type BodyOf<K extends OperationId> = [NonNullable<operations[K]['requestBody']>] extends [never]
  ? undefined
  : NonNullable<operations[K]['requestBody']> extends { content: { 'application/json': infer B } }
    ? B
    : never;

/**
 * The request a handler of `K` gets. Fastify checks the path parameters, the query and the body against the
 * operation's schemas in the contract before the handler runs (the same contract these types come from), so the
 * handler reads them typed. The exception is an operation that checks its own schema problems
 * ({@link seesSchemaProblems}): its handler also runs when `validationError` is set, and then the body can be
 * any JSON value; it must be read only as far as the handler guards.
 */
export type HandlerRequest<K extends OperationId> = FastifyRequest<{
  Params: PathOf<K>;
  Querystring: QueryOf<K>;
  Body: BodyOf<K>;
}>;

/** `T` as an answer may hold it: its arrays and fields may be read-only (an answer is only serialized). */
type Sendable<T> = T extends readonly (infer U)[]
  ? readonly Sendable<U>[]
  : T extends object
    ? { readonly [P in keyof T]: Sendable<T[P]> }
    : T;

/** One answer of the contract for a status: a JSON body, a plain-text body, or none, as the contract says. */
type AnswerAt<S, R> = R extends { content: { 'application/json': infer B } }
  ? { status: S; json: Sendable<B> }
  : R extends { content: { 'text/plain': infer T } }
    ? { status: S; text: T }
    : { status: S };

/** The numeric statuses the contract lists for an operation. */
type StatusOf<K extends OperationId> = Extract<keyof operations[K]['responses'], number>;

/**
 * Every answer the contract allows for `K`, by status: a handler that answers a status the operation does not
 * list, or a body of the wrong shape for its status, does not compile.
 */
export type Answer<K extends OperationId> = {
  [S in StatusOf<K>]: AnswerAt<S, operations[K]['responses'][S]>;
}[StatusOf<K>];

/** The handler of operation `K`: its typed request in, one of its contract's answers out. */
export type Handler<K extends OperationId> = (req: HandlerRequest<K>) => Promise<Answer<K>>;

/**
 * The handler of every operation of the contract, by `operationId`: an operation without its handler, a handler
 * for an operation the contract does not have, or a handler answering outside its contract fails to compile.
 */
export type Handlers = { [K in OperationId]: Handler<K> };

/** Any answer, as {@link sendAnswer} sends it. */
type AnyAnswer = { status: number; json: unknown } | { status: number; text: string } | { status: number };

/**
 * Sends an answer: JSON with `application/json`, text with `text/plain; charset=utf-8`, or no body.
 *
 * @returns the reply, sent
 */
export function sendAnswer(reply: FastifyReply, answer: AnyAnswer): FastifyReply {
  reply.code(answer.status);
  if ('json' in answer) return reply.type('application/json').send(answer.json);
  if ('text' in answer) return reply.type('text/plain; charset=utf-8').send(answer.text);
  return reply.send();
}

/** The answers more than one handler gives. */
export const answer = {
  /** 400 with every problem by field (the contract's `ValidationErrorBody`). */
  invalid(errors: FieldError[]): { status: 400; json: ValidationErrorBody } {
    const message =
      errors.length === 1
        ? `The request has 1 problem: ${errors[0]?.field}: ${errors[0]?.message}`
        : `The request has ${errors.length} problems.`;
    return { status: 400, json: { message, errors } };
  },
  /** 401 with a plain message, as Envoy does. */
  unauthorized(text = 'Not logged in: authenticate first'): { status: 401; text: string } {
    return { status: 401, text };
  },
  /** 404 with a message. */
  notFound(message: string): { status: 404; json: ErrorBody } {
    return { status: 404, json: { message } };
  },
};

/**
 * The operations whose handler runs even when the request breaks the contract's schema, to list those problems
 * together with every other problem it finds (Fastify's `attachValidation`).
 */
const CHECKS_OWN_SCHEMA: ReadonlySet<string> = new Set<OperationId>(['submitProject']);

/** Whether the route of an operation (its Fastify schema names the `operationId`) gets its schema problems. */
export function seesSchemaProblems(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null || !('operationId' in schema)) return false;
  return typeof schema.operationId === 'string' && CHECKS_OWN_SCHEMA.has(schema.operationId);
}

/** The Fastify handler of operation `op`: calls its typed handler and sends the answer. */
function route<K extends OperationId>(handlers: Handlers, op: K) {
  const handle: Handlers[K] = handlers[op];
  return async (req: HandlerRequest<K>, reply: FastifyReply): Promise<FastifyReply> =>
    sendAnswer(reply, await handle(req));
}

/** Whether `key` names an operation of the table. */
function isOperation(handlers: Handlers, key: string): key is OperationId {
  return Object.hasOwn(handlers, key);
}

/**
 * The table as `fastify-openapi-glue` takes it (`serviceHandlers`): by `operationId`, each handler wrapped to
 * send the answer it returns. Glue registers each route with the operation's schemas from the same contract, which
 * Fastify checks before the wrapper runs: that check is what the typed {@link HandlerRequest} stands on.
 */
export function serviceHandlers(handlers: Handlers): Record<string, object> {
  return Object.fromEntries(
    Object.keys(handlers)
      .filter((key) => isOperation(handlers, key))
      .map((op) => [op, route(handlers, op)]),
  );
}
