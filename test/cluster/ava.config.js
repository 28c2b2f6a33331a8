// `npm run test:cluster`: the tests that run a real Kubernetes control plane, a node and Knative
// Serving on this machine (root, network namespaces, minutes per file). The rest of package.json's
// ava configuration holds for them too; `npm test` leaves them out.
import packageJson from '../../package.json' with { type: 'json' };

export default { ...packageJson.ava, files: ['test/cluster/**/*.test.ts'] };
