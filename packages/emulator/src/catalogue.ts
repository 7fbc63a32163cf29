import { contractProblems } from './contract.js';
import type { EmulatorUser, MachineCatalogue, MachineType, ProductVersion } from './types.js';

/** The documented demo account used when no users are given. */
export const DEMO_USER: Readonly<Required<EmulatorUser>> = Object.freeze({
  email: 'demo@gridmarkets.local',
  accessKey: 'demo-access-key',
  password: 'demo-password',
  credits: 1000,
  name: 'Demo Artist',
  servicePlan: 'Standard',
  jobThroughputLimit: 30,
  maxThroughput: 30,
  created: '2019-07-01T15:27:48',
});

const NAMES: ReadonlyMap<string, string> = new Map([
  ['blender', 'Blender'],
  ['c4d', 'Cinema 4D'],
  ['hou', 'Houdini'],
  ['maya', 'Maya'],
  ['nuke', 'Nuke'],
  ['vray', 'V-Ray'],
]);

function product(app: string, version: string, modules: Record<string, string[]> = {}): ProductVersion {
  const compatible_modules = Object.entries(modules).flatMap(([plugin, versions]) =>
    versions.map((v) => `${plugin}:${v}`),
  );
  return {
    id: `${app}-${version}`,
    name: NAMES.get(app) ?? app,
    app_type: app,
    version,
    compatible_modules,
    business_vertical: 'media',
  };
}

/** The default product catalogue: Blender, Cinema 4D, Houdini, Maya, Nuke and V-Ray with their plugins. */
export const DEFAULT_PRODUCTS: readonly ProductVersion[] = Object.freeze([
  product('blender', '2.79'),
  product('blender', '2.80', { blender_vray: ['4.10.03'] }),
  product('blender', '2.83', { blender_vray: ['4.10.03', '5.00.05'] }),
  product('blender', '3.6'),
  product('blender', '4.2'),
  product('c4d', 'R19', { arnold: ['2.4.0'], redshift: ['2.6.41'], vray: ['3.7'] }),
  product('c4d', 'R20', { arnold: ['2.5.0', '3.0.0'], redshift: ['2.6.44', '3.0.10'], vray: ['3.7'] }),
  product('c4d', 'R21', { arnold: ['3.0.0'], redshift: ['3.0.10'], vray: ['5.0'] }),
  product('c4d', 'S24', { arnold: ['3.3.0'], redshift: ['3.0.45'], vray: ['5.0'] }),
  product('hou', '17.5.173', { hou_redshift: ['2.6.37', '2.6.38', '2.6.39'], htoa: ['4.0.1', '4.0.2'] }),
  product('hou', '17.5.229', { hou_redshift: ['2.6.37', '2.6.38', '2.6.39'] }),
  product('hou', '18.0.416', {
    htoa: ['5.0.1'],
    hton: ['12.2v4'],
    hou_redshift: ['3.0.31'],
    prman: ['23.2'],
    htot: ['4.2'],
    hou_vray: ['4.30.02'],
  }),
  product('hou', '18.5.462', {
    htoa: ['5.4.1'],
    hton: ['13.2v8'],
    hou_redshift: ['3.0.45'],
    prman: ['24.0'],
    htot: ['4.3'],
    hou_vray: ['5.00.05'],
  }),
  product('maya', '2019', {
    mtoa: ['3.3.0'],
    maya_redshift: ['2.6.50'],
    maya_prman: ['22.6'],
    maya_vray: ['4.12.02'],
  }),
  product('maya', '2020', {
    mtoa: ['4.0.0'],
    maya_redshift: ['3.0.31'],
    maya_prman: ['23.2'],
    maya_vray: ['5.00.05'],
  }),
  product('maya', '2022', {
    mtoa: ['5.0.0'],
    maya_redshift: ['3.0.45'],
    maya_prman: ['24.0'],
    maya_vray: ['5.10.02'],
  }),
  product('nuke', '11.3v5'),
  product('nuke', '12.2v4'),
  product('nuke', '13.2v8'),
  product('vray', '4.10.03'),
  product('vray', '5.00.05'),
]);

const GPU_PLUGINS = [
  'redshift',
  'hou_redshift',
  'maya_redshift',
  'arnold',
  'htoa',
  'mtoa',
  'vray',
  'hou_vray',
  'maya_vray',
  'blender_vray',
];
const CPU_PLUGINS = [
  'arnold',
  'htoa',
  'mtoa',
  'vray',
  'hou_vray',
  'maya_vray',
  'blender_vray',
  'hton',
  'prman',
  'maya_prman',
  'htot',
];

function standardMachines(): MachineType[] {
  return [
    { id: 'gm4800', name: 'GM4800', gpu: false, is_default: true, credit_rate: 1, plugins: CPU_PLUGINS },
    { id: 'gm6400', name: 'GM6400', gpu: false, is_default: false, credit_rate: 1.5, plugins: CPU_PLUGINS },
    {
      id: '1xp100-ob220',
      name: '1xP100 : OB220',
      gpu: true,
      is_default: true,
      credit_rate: 2,
      plugins: GPU_PLUGINS,
    },
    {
      id: '1xv100-ob330',
      name: '1xV100 : OB330',
      gpu: true,
      is_default: false,
      credit_rate: 3,
      plugins: GPU_PLUGINS,
    },
  ];
}

function cpuOnly(): MachineType[] {
  return standardMachines().filter((m) => !m.gpu);
}

/**
 * The default machine types: CPU (`gm4800` default, `gm6400`) and GPU (`1xp100-ob220` default,
 * `1xv100-ob330`) for every product's `render`; Houdini also has `sim` and `batch`, Nuke `composite`.
 * Redshift plugins run on GPU machines only.
 */
export const DEFAULT_MACHINES: Readonly<MachineCatalogue> = Object.freeze({
  blender: { render: standardMachines() },
  c4d: { render: standardMachines() },
  hou: { render: standardMachines(), sim: cpuOnly(), batch: cpuOnly() },
  maya: { render: standardMachines() },
  nuke: { render: cpuOnly(), composite: cpuOnly() },
  vray: { render: standardMachines() },
});

/** Whether a machine supports every plugin code given. */
export function machineSupports(machine: MachineType, plugins: readonly string[]): boolean {
  if (!machine.plugins) return true;
  return plugins.every((p) => machine.plugins?.includes(p));
}

const PRODUCTS_SCHEMA = {
  type: 'object',
  properties: { products: { type: 'array', items: { $ref: 'contract#/components/schemas/ProductVersion' } } },
};
const MACHINES_SCHEMA = {
  type: 'object',
  properties: {
    machines: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: {
          type: 'array',
          items: {
            allOf: [
              { $ref: 'contract#/components/schemas/Machine' },
              {
                required: ['credit_rate'],
                properties: { plugins: { type: 'array', items: { type: 'string' } } },
              },
            ],
          },
        },
      },
    },
  },
};

/** Problems of a product catalogue against the contract's `ProductVersion`, as `field: message` lines. */
export function productProblems(products: unknown): string[] {
  return contractProblems(PRODUCTS_SCHEMA, { products });
}

/** Problems of machine types against the contract's `Machine` (plus a `credit_rate`), as `field: message` lines. */
export function machineProblems(machines: unknown): string[] {
  return contractProblems(MACHINES_SCHEMA, { machines });
}
