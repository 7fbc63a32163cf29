// typedoc: the API site (`pnpm run docs` → docs/api), opening on docs/index.md with the guides beside it.
import { OptionDefaults } from 'typedoc';

// openapi-typescript writes the contract's descriptions as `@description` (packages/transport/src/generated/,
// never edited by hand): a known block tag here, so they show as a "Description" section instead of a warning.
const blockTags = [...OptionDefaults.blockTags, '@description'];

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  $schema: 'https://typedoc.org/schema.json',
  name: 'GridMarkets Envoy TypeScript client',
  entryPointStrategy: 'packages',
  entryPoints: [
    'packages/transport',
    'packages/core',
    'packages/products',
    'packages/preflight',
    'packages/emulator',
  ],
  packageOptions: {
    entryPoints: ['src/index.ts'],
    disableSources: true,
    excludeNotDocumented: false,
    blockTags,
  },
  blockTags,
  // The migration guide shows the Python client's calls beside the TypeScript ones.
  highlightLanguages: [...OptionDefaults.highlightLanguages, 'python'],
  readme: 'docs/index.md',
  projectDocuments: ['docs/migrating-from-python.md'],
  out: 'docs/api',
  // No links to source lines: they depend on the clone's git remote, which a local or CI clone does not have.
  disableSources: true,
  treatWarningsAsErrors: true, // `pnpm run docs` fails on any warning: the site stays at 0
};
