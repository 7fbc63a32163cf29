import { machineSupports } from '../catalogue.js';
import type { JobRequest } from '../generated/envoy.js';
import { own } from '../names.js';
import type { MachineCatalogue, MachineType, ProductVersion } from '../types.js';

/** Everything the catalogue checks need. */
export interface Catalogue {
  products: readonly ProductVersion[];
  machines: Readonly<MachineCatalogue>;
}

/** Machines of a product and operation, or an error message naming what is unknown. */
export function machinesFor(
  catalogue: Catalogue,
  product: string,
  operation: string,
): { machines: MachineType[] } | { field: 'product' | 'operation'; message: string } {
  const byOp = own(catalogue.machines, product);
  if (!byOp) {
    const known = Object.keys(catalogue.machines).join(', ');
    return { field: 'product', message: `unknown product ${product}; known: ${known}` };
  }
  const machines = own(byOp, operation);
  if (!machines) {
    const known = Object.keys(byOp).join(', ');
    return { field: 'operation', message: `${product} has no operation ${operation}; offered: ${known}` };
  }
  return { machines };
}

/** What the product check found: the version (when known) and the plugin codes the job uses. */
export interface ProductCheck {
  version: ProductVersion | undefined;
  /** Whether the product is in the catalogue at all (its operation is checked only then). */
  known: boolean;
  pluginCodes: string[];
}

/** Reports a problem with a field of the job being checked (`app`, `params.frames`, ...). */
export type Fail = (field: string, message: string) => void;

/** Checks a job's product, version and plugins (`params.plugins`, and `billing_meta` after the app). */
export function checkProduct(job: JobRequest, catalogue: Catalogue, fail: Fail): ProductCheck {
  const params = job.params ?? {};
  const versions = catalogue.products.filter((p) => p.app_type === job.app);
  const version = versions.find((p) => p.version === job.app_version);
  if (versions.length === 0) {
    const known = [...new Set(catalogue.products.map((p) => p.app_type))].join(', ');
    fail('app', `unknown product ${job.app}; known: ${known}`);
  } else if (!version) {
    fail(
      'app_version',
      `${job.app} has no version ${job.app_version}; offered: ${versions.map((v) => v.version).join(', ')}`,
    );
  }
  const pluginCodes: string[] = [];
  const checkPlugin = (entry: string, field: string): void => {
    const [code = '', ver] = entry.split(':');
    pluginCodes.push(code);
    if (!version) return;
    const mods = version.compatible_modules.map((m) => {
      const at = m.indexOf(':');
      return { code: m.slice(0, at), version: m.slice(at + 1) };
    });
    const sameCode = mods.filter((m) => m.code === code);
    if (sameCode.length === 0) {
      fail(field, `plugin ${code} is not compatible with ${job.app} ${job.app_version}`);
    } else if (ver !== undefined && !sameCode.some((m) => m.version === ver)) {
      fail(
        field,
        `${code} ${ver} is not compatible with ${job.app} ${job.app_version}; offered: ${sameCode.map((m) => m.version).join(', ')}`,
      );
    }
  };
  for (const [k, p] of (params.plugins ?? []).entries()) checkPlugin(p, `params.plugins[${k}]`);
  (params.billing_meta ?? []).forEach((p, k) => {
    if (p === job.app) return;
    if (params.plugins?.some((q) => q.split(':')[0] === p.split(':')[0])) return;
    checkPlugin(p, `params.billing_meta[${k}]`);
  });
  return { version, known: versions.length > 0, pluginCodes };
}

/** The machine a job runs on: the one it names, or the default of its category that supports its plugins. */
export function checkMachine(
  job: JobRequest,
  product: ProductCheck,
  catalogue: Catalogue,
  fail: Fail,
): MachineType | undefined {
  const params = job.params ?? {};
  const { pluginCodes } = product;
  const found = machinesFor(catalogue, job.app, job.operation);
  if (!('machines' in found)) {
    if (found.field === 'operation' && product.known) fail('operation', found.message);
    return undefined;
  }
  const wanted = params.machine_type ?? '';
  if (wanted) {
    const machine = found.machines.find((m) => m.id === wanted);
    if (!machine) {
      fail(
        'params.machine_type',
        `unknown machine type ${wanted} for ${job.app} ${job.operation}; offered: ${found.machines.map((m) => m.id).join(', ')}`,
      );
    } else if (!machineSupports(machine, pluginCodes)) {
      fail('params.machine_type', `${wanted} does not support the plugins ${pluginCodes.join(', ')}`);
    }
    return machine;
  }
  const able = found.machines.filter((m) => machineSupports(m, pluginCodes));
  const gpu = params.gpu === true;
  const pool = able.filter((m) => m.gpu === gpu);
  const machine = pool.find((m) => m.is_default) ?? pool[0] ?? able.find((m) => m.is_default) ?? able[0];
  if (!machine) {
    fail('params.machine_type', `no ${job.app} ${job.operation} machine supports ${pluginCodes.join(', ')}`);
  }
  return machine;
}
