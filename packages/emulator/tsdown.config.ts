import { gmTsdownConfig } from '../../tsdown.shared.js';

// The bin is a second entry; shims give the CommonJS build import.meta.url.
export default gmTsdownConfig({ entry: ['src/index.ts', 'src/bin.ts'], shims: true, fixedExtension: false });
