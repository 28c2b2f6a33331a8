// The cluster's registry as its configuration files say it (tools/cluster/node/registry.ts), and
// Knative's controller told to trust the cluster's CA (knative-on-node.ts): pure functions of their
// inputs. The registry itself, a push, Knative's digests and the node's pull run in
// test/cluster/knative.test.ts and test/cluster/node.test.ts.
import test from 'ava';
import { parse } from 'yaml';
import { CUSTOM_CERTS, trustingCa } from '../../tools/cluster/knative-on-node.ts';
import { containerdHosts, KIND_REGISTRY, REGISTRY, registryConfig } from '../../tools/cluster/node/registry.ts';
import type { KubernetesObject } from '../../tools/knative/manifests.ts';

test("the registry's configuration: filesystem storage, one address, TLS only when given a certificate", (t) => {
  t.deepEqual(parse(registryConfig('/s', REGISTRY, { cert: '/c.crt', key: '/c.key' })), {
    version: 0.1,
    log: { level: 'info', formatter: 'text' },
    storage: { filesystem: { rootdirectory: '/s' } },
    http: { addr: '10.250.0.2:5000', tls: { certificate: '/c.crt', key: '/c.key' } },
  });
  t.deepEqual(parse(registryConfig('/k', '127.0.0.1:5001')).http, { addr: '127.0.0.1:5001' });
});

test("containerd's hosts: the registry over TLS with the CA, Docker Hub through it, the quickstart's over HTTP", (t) => {
  const hosts = containerdHosts('/ca.crt');
  t.regex(hosts[REGISTRY] ?? '', /^server = "https:\/\/10\.250\.0\.2:5000"$/m);
  t.regex(
    hosts[REGISTRY] ?? '',
    /^\[host\."https:\/\/10\.250\.0\.2:5000"\]\n {2}capabilities = \["pull", "resolve"\]\n {2}ca = "\/ca\.crt"$/m,
  );
  t.regex(hosts['docker.io'] ?? '', /^server = "https:\/\/registry-1\.docker\.io"$/m);
  t.regex(hosts['docker.io'] ?? '', /^\[host\."https:\/\/10\.250\.0\.2:5000"\]$/m);
  t.is(KIND_REGISTRY, 'localhost:5001');
  t.regex(hosts[KIND_REGISTRY] ?? '', /^\[host\."http:\/\/localhost:5001"\]$/m);
  t.notRegex(hosts[KIND_REGISTRY] ?? '', /ca = /);
});

test("Knative's controller trusts the CA as Knative documents it: mounted, SSL_CERT_DIR at it", (t) => {
  const controller = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'controller', namespace: 'knative-serving' },
    spec: {
      template: { spec: { containers: [{ name: 'controller', env: [{ name: 'SYSTEM_NAMESPACE', value: 'x' }] }] } },
    },
  } as unknown as KubernetesObject;
  const [certs, trusting] = trustingCa(controller, 'PEM') as [KubernetesObject, KubernetesObject];
  t.like(certs, {
    kind: 'ConfigMap',
    metadata: { name: CUSTOM_CERTS, namespace: 'knative-serving' },
    data: { 'ca.crt': 'PEM' },
  });
  const pod = (trusting.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  t.deepEqual(pod.volumes, [{ name: CUSTOM_CERTS, configMap: { name: CUSTOM_CERTS } }]);
  t.deepEqual(pod.containers, [
    {
      name: 'controller',
      env: [
        { name: 'SYSTEM_NAMESPACE', value: 'x' },
        { name: 'SSL_CERT_DIR', value: '/etc/custom-certs' },
      ],
      volumeMounts: [{ name: CUSTOM_CERTS, mountPath: '/etc/custom-certs', readOnly: true }],
    },
  ]);
  // The install's own object is left as it was.
  t.deepEqual((controller.spec as { template: { spec: { volumes?: unknown } } }).template.spec.volumes, undefined);
});
