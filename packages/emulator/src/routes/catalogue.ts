import { machineSupports } from '../catalogue.js';
import { machinesFor } from '../validation.js';
import type { RouteContext } from './context.js';
import { answer, type Handlers } from './handlers.js';

/** Handlers of the catalogue: `GET /products`, `GET /machines`. */
export function catalogueRoutes(ctx: RouteContext): Pick<Handlers, 'getProducts' | 'getMachines'> {
  return {
    async getProducts() {
      if (!ctx.current()) return answer.unauthorized();
      return { status: 200, json: ctx.catalogue.products };
    },
    async getMachines(req) {
      if (!ctx.current()) return answer.unauthorized();
      const q = req.query;
      const found = machinesFor(ctx.catalogue, q.product, q.operation);
      if (!('machines' in found)) return answer.invalid([{ field: found.field, message: found.message }]);
      // The query's schema check makes `plugins` an array, even of one plugin.
      const codes = (q.plugins ?? []).map((p) => p.split(':')[0] ?? p);
      const category = q.category ?? 'all';
      const machines = found.machines
        .filter((m) => category === 'all' || m.gpu === (category === 'gpu'))
        .filter((m) => machineSupports(m, codes));
      return { status: 200, json: machines };
    },
  };
}
