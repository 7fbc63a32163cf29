import { describe, expectTypeOf, it } from 'vitest';
import type { MachineType } from '../src/index.js';
import { accountRoutes } from '../src/routes/account.js';
import { catalogueRoutes } from '../src/routes/catalogue.js';
import type { RouteContext } from '../src/routes/context.js';
import {
  type Answer,
  answer,
  type Handler,
  type HandlerRequest,
  type Handlers,
  type OperationId,
} from '../src/routes/handlers.js';
import { projectRoutes } from '../src/routes/projects.js';
import { submitRoutes } from '../src/routes/submit.js';
import { uploadRoutes } from '../src/routes/uploads.js';

declare const ctx: RouteContext;
declare const machines: MachineType[];

describe('the handler table, typed by operationId from the contract', () => {
  it('has one key per operation of the contract, and the route modules fill it', () => {
    expectTypeOf<OperationId>().toEqualTypeOf<
      | 'authenticate'
      | 'getCreditsInfo'
      | 'getMachines'
      | 'getProducts'
      | 'getProjectFiles'
      | 'getProjectStatus'
      | 'getUserInfo'
      | 'listProjects'
      | 'submitProject'
      | 'uploadFiles'
    >();
    const table = {
      ...accountRoutes(ctx),
      ...catalogueRoutes(ctx),
      ...uploadRoutes(ctx),
      ...submitRoutes(ctx),
      ...projectRoutes(ctx),
    };
    expectTypeOf(table).toEqualTypeOf<Handlers>();
  });

  it('refuses a table without the handler of an operation', () => {
    // @ts-expect-error: getMachines has no handler.
    const partial: Handlers = {
      ...accountRoutes(ctx),
      getProducts: catalogueRoutes(ctx).getProducts,
      ...uploadRoutes(ctx),
      ...submitRoutes(ctx),
      ...projectRoutes(ctx),
    };
    expectTypeOf(partial).toEqualTypeOf<Handlers>();
  });

  it('refuses a handler for an operation the contract does not have', () => {
    const extra: Handlers = {
      ...accountRoutes(ctx),
      ...catalogueRoutes(ctx),
      ...uploadRoutes(ctx),
      ...submitRoutes(ctx),
      ...projectRoutes(ctx),
      // @ts-expect-error: the contract has no deleteProject.
      async deleteProject() {
        return { status: 200, json: {} };
      },
    };
    expectTypeOf(extra).toEqualTypeOf<Handlers>();
  });

  it('refuses an answer body of the wrong shape for its status', () => {
    // @ts-expect-error: credits_available is a number in CreditsInfo.
    const wrongType: Handler<'getCreditsInfo'> = async () => ({
      status: 200,
      json: { credits_available: '1000', credits_consumed: 0 },
    });
    // @ts-expect-error: the job ids of a SubmitResult are strings.
    const wrongItem: Handler<'submitProject'> = async () => ({
      status: 201,
      json: { ID: 'shot', Jobs: [1] },
    });
    // @ts-expect-error: a 404 body is an ErrorBody ({ message }), not a list of problems.
    const wrongBody: Handler<'getProjectStatus'> = async () => ({ status: 404, json: { errors: [] } });
    expectTypeOf(wrongType).not.toBeAny();
    expectTypeOf(wrongItem).not.toBeAny();
    expectTypeOf(wrongBody).not.toBeAny();
  });

  it('refuses a status the operation does not list, and JSON where the contract says plain text', () => {
    // @ts-expect-error: uploadFiles answers 200, never 201.
    const wrongStatus: Handler<'uploadFiles'> = async () => ({ status: 201, json: { ID: 'shot' } });
    // @ts-expect-error: getProducts never answers 402.
    const notListed: Handler<'getProducts'> = async () => ({
      status: 402,
      json: { message: 'Insufficient credits balance', credits_available: 0, credits_required: 1 },
    });
    // @ts-expect-error: 401 is a plain-text message, not JSON.
    const jsonNotText: Handler<'getUserInfo'> = async () => ({ status: 401, json: { message: 'no' } });
    // @ts-expect-error: listProjects has no 404 (no project name in its path).
    const noSuchAnswer: Handler<'listProjects'> = async () => answer.notFound('project not found: x');
    expectTypeOf(wrongStatus).not.toBeAny();
    expectTypeOf(notListed).not.toBeAny();
    expectTypeOf(jsonNotText).not.toBeAny();
    expectTypeOf(noSuchAnswer).not.toBeAny();
  });

  it('accepts the contract answers, read-only values and the emulator own interfaces among them', () => {
    const products: Handler<'getMachines'> = async () => ({ status: 200, json: machines });
    const refused: Handler<'getMachines'> = async () => answer.invalid([{ field: 'product', message: 'x' }]);
    const anon: Handler<'getMachines'> = async () => answer.unauthorized();
    expectTypeOf(products).toEqualTypeOf(refused);
    expectTypeOf(anon).toEqualTypeOf<Handler<'getMachines'>>();
    expectTypeOf<Answer<'authenticate'>['status']>().toEqualTypeOf<
      200 | 400 | 401 | 403 | 404 | 408 | 413 | 415 | 431
    >();
  });

  it('gives each handler its request typed: path parameters, query and body', () => {
    expectTypeOf<HandlerRequest<'getProjectStatus'>['params']>().toEqualTypeOf<{ name: string }>();
    expectTypeOf<HandlerRequest<'getMachines'>['query']['product']>().toEqualTypeOf<string>();
    expectTypeOf<HandlerRequest<'getMachines'>['query']['plugins']>().toEqualTypeOf<string[] | undefined>();
    // No body in the contract: nothing to read without a check (Fastify types it `unknown`).
    expectTypeOf<HandlerRequest<'getProducts'>['body']>().toEqualTypeOf<unknown>();
    // The email with either the access key or the password (the contract's anyOf), not `unknown`.
    expectTypeOf<HandlerRequest<'authenticate'>['body']>().toEqualTypeOf<
      | { AccessKey: string; Password?: string; Username: string }
      | { AccessKey?: string; Password: string; Username: string }
    >();
    const misread: Handler<'getProjectFiles'> = async (req) => {
      // @ts-expect-error: the path parameter is `name`.
      req.params.project;
      // @ts-expect-error: getProjectFiles takes no body.
      req.body.upload;
      return answer.unauthorized();
    };
    expectTypeOf(misread).not.toBeAny();
  });
});
