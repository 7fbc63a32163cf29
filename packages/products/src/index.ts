export * from './catalogue.js';
export * from './frames.js';
