import type { FastifyReply } from 'fastify';
import type { FieldError } from '../contract.js';
import type { Downloader } from '../downloads.js';
import { dict, own } from '../names.js';
import type { Runtime } from '../runtime.js';
import type { Scheduler } from '../scheduler.js';
import type { ProjectRecord, State, UserBalance } from '../store.js';
import type { EmulatorUser } from '../types.js';
import type { Uploader } from '../uploads.js';
import type { Catalogue } from '../validation.js';
import { answer, sendAnswer } from './handlers.js';

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
  /** The user Envoy acts for, or null when no one is logged in (answer {@link answer.unauthorized}). */
  current(): CurrentUser | null;
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
    current() {
      const email = state().currentUser;
      const user = deps.users.find((u) => u.email === email);
      const balance = email ? own(state().balances, email) : undefined;
      return user && balance ? { user, balance } : null;
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

/** Answers 400 with every problem by field (the contract's `ValidationErrorBody`), outside a handler. */
export function invalid(reply: FastifyReply, errors: FieldError[]): FastifyReply {
  return sendAnswer(reply, answer.invalid(errors));
}

/** Answers 404 with a message, outside a handler. */
export function notFound(reply: FastifyReply, message: string): FastifyReply {
  return sendAnswer(reply, answer.notFound(message));
}
