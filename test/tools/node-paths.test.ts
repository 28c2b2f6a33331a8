// Where the node keeps its state (tools/cluster/node/paths.ts): a cluster whose sockets would be too
// long for a Unix socket is refused before anything starts, not by kubelet's "bind: invalid argument".
import test from 'ava';
import { NodePathError, nodePaths } from '../../tools/cluster/node/paths.ts';
import { clusterPaths } from '../../tools/cluster/state.ts';

const env = { XDG_CACHE_HOME: '/root/.cache' };

test("the default cluster's and the tests' names fit, with a seven-digit pid", (t) => {
  for (const name of ['knative-tracing-counter', 'knative-test-4194304', 'deploy-kn-4194304', 'docs-test-4194304'])
    t.notThrows(() => nodePaths(clusterPaths(name, env)), name);
});

test("a name that makes kubelet's pod-resources socket too long is refused, naming the socket", (t) => {
  // kubelet exited with "listen unix .../pod-resources/368377475: bind: invalid argument" for this one.
  t.throws(() => nodePaths(clusterPaths('deploy-knative-test-19694', env)), {
    instanceOf: NodePathError,
    message:
      /socket \/root\/\.cache\/.*\/kubelet\/pod-resources\/0123456789 is too long for a Unix socket \(at most 107 bytes\)/,
  });
});
