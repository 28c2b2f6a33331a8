// The cluster tests' helpers live in tools/cluster/on-cluster.ts, which the cluster's fault scenarios
// (tools/faults/cluster/) share.
export * from '../../tools/cluster/on-cluster.ts';
