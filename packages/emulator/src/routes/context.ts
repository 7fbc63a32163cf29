import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../contract.js';
import type { Downloader } from '../downloads.js';
import { dict, own } from '../names.js';
import type { Runtime } from '../runtime.js';
import type { Scheduler } from '../scheduler.js';
import type { ProjectRecord, State, UserBalance } from '../store.js';
import type { EmulatorUser } from '../types.js';
import type { Uploader } from '../uploads.js';
import type { Catalogue } from '../validation.js';

/** A route handler, bound to an operationId of the contract. */
export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** What the route handlers of every resource act on. */
export interface RouteDeps {
  runtime: Runtime;
  users: Required<EmulatorUser>[];
  catalogue: Catalogue;
  uploader: Uploader;
  scheduler: Scheduler;
  downloader: Downloader;
}

/** The user Envoy acts for and their balance. */
export interface CurrentUser {
  user: Required<EmulatorUser>;
  balance: UserBalance;
}

/** {@link RouteDeps} with the lookups the handlers share. */
export interface RouteContext extends RouteDeps {
  /** The persisted state. */
  state(): State;
  /** The user Envoy acts for, or null (and a 401 sent). */
  current(reply: FastifyReply): CurrentUser | null;
  /** A project of this owner, or undefined. */
  ownProject(name: string, email: string): ProjectRecord | undefined;
  /** Creates an empty project. */
  newProject(name: string, owner: string): ProjectRecord;
}

/** Builds the shared lookups over the dependencies. */
export function routeContext(deps: RouteDeps): RouteContext {
  const state = (): State => deps.runtime.store.state;
  return {
    ...deps,
    state,
    current(reply) {
      const email = state().currentUser;
      const user = deps.users.find((u) => u.email === email);
      const balance = email ? own(state().balances, email) : undefined;
      if (!user || !balance) {
        unauthorized(reply);
        return null;
      }
      return { user, balance };
    },
    ownProject(name, email) {
      const p = own(state().projects, name);
      return p && p.owner === email ? p : undefined;
    },
    newProject(name, owner) {
      const project: ProjectRecord = {
        name,
        owner,
        createdAt: new Date().toISOString(),
        files: dict(),
        watch: dict(),
        jobs: [],
        downloads: [],
      };
      state().projects[name] = project;
      return project;
    },
  };
}

/** Answers 400 with every problem by field (the contract's `ValidationErrorBody`). */
export function invalid(reply: FastifyReply, errors: FieldError[]): FastifyReply {
  const message =
    errors.length === 1
      ? `The request has 1 problem: ${errors[0]?.field}: ${errors[0]?.message}`
      : `The request has ${errors.length} problems.`;
  return reply.code(400).type('application/json').send({ message, errors });
}

/** Answers 401 with a plain message, as Envoy does. */
export function unauthorized(reply: FastifyReply, text = 'Not logged in: authenticate first'): FastifyReply {
  return reply.code(401).type('text/plain; charset=utf-8').send(text);
}

/** Answers 404 with a message. */
export function notFound(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(404).type('application/json').send({ message });
}
