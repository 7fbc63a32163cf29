import { gmTsdownConfig } from '../../tsdown.shared.js';

// `#platform` (package.json `imports`) stays an import: each runtime picks its module when it loads the package
// (Node's built-ins under the `node` condition, pure ones elsewhere), so the main entry holds no Node built-in.
export default gmTsdownConfig({
  entry: {
    index: 'src/index.ts',
    node: 'src/node.ts',
    'platform-node': 'src/platform/node.ts',
    'platform-web': 'src/platform/web.ts',
  },
  external: ['#platform'],
});
