// Kubeconfig files for the cluster, with the certificates embedded so that each file stands alone.
import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { KeyPair } from './certificates.ts';

export interface KubeconfigSpec {
  /** The cluster's, context's and user's name. */
  name: string;
  server: string;
  caFile: string;
  client: KeyPair;
}

const base64Of = async (file: string) => (await readFile(file)).toString('base64');

export async function writeKubeconfig(file: string, { name, server, caFile, client }: KubeconfigSpec): Promise<void> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': await base64Of(caFile) } }],
    users: [
      {
        name,
        user: {
          'client-certificate-data': await base64Of(client.cert),
          'client-key-data': await base64Of(client.key),
        },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
  await writeFile(file, stringify(config), { mode: 0o600 });
}
