// Every workflow the worker registers; the bundle is built from this file.
export * from './run-tracker.js';
