import { gmTsdownConfig } from '../../tsdown.shared.js';

export default gmTsdownConfig();
