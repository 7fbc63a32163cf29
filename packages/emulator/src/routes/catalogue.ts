import type { operations } from '@gm/transport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { machineSupports } from '../catalogue.js';
import { machinesFor } from '../validation.js';
import { type Handler, invalid, type RouteContext } from './context.js';

/** Handlers of the catalogue: `GET /products`, `GET /machines`. */
export function catalogueRoutes(ctx: RouteContext): Record<string, Handler> {
  return {
    async getProducts(_req: FastifyRequest, reply: FastifyReply) {
      if (!ctx.current(reply)) return reply;
      return ctx.catalogue.products;
    },
    async getMachines(req: FastifyRequest, reply: FastifyReply) {
      if (!ctx.current(reply)) return reply;
      const q = req.query as operations['getMachines']['parameters']['query'] & {
        plugins?: string[] | string;
      };
      const found = machinesFor(ctx.catalogue, q.product, q.operation);
      if (!('machines' in found)) return invalid(reply, [{ field: found.field, message: found.message }]);
      const plugins = (Array.isArray(q.plugins) ? q.plugins : q.plugins ? [q.plugins] : []).map(
        (p) => p.split(':')[0] ?? p,
      );
      const category = q.category ?? 'all';
      const machines = found.machines
        .filter((m) => category === 'all' || m.gpu === (category === 'gpu'))
        .filter((m) => machineSupports(m, plugins));
      return machines;
    },
  };
}
