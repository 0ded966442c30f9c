// The cluster helper moved beside scripts/cluster.sh so that `npm run bench` can start the same cluster; the
// tests keep importing it from here.
export * from '../../scripts/cluster.js';
