// Generated from functions/lib/host-detector.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// The SDK's host detector, less its one warning in containers. It reads the machine id from
// /etc/machine-id or /var/lib/dbus/machine-id; where neither exists (container images built FROM
// node:*-slim, and Kubernetes mounts none into pods) host.id becomes undefined and the SDK warns
// `dropping invalid resource attribute value for key "host.id"` at every start. Here the id is read
// once, at start, and left out when the machine has none: a missing id is normal, not a fault.
import { readFileSync } from 'node:fs';
import { hostDetector, type ResourceDetector } from '@opentelemetry/resources';

// Not yet stable in @opentelemetry/semantic-conventions, so named here.
const ATTR_HOST_ID = 'host.id';
const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'];

/** The machine id, or undefined when no file holds one. */
export function readMachineId(files: readonly string[] = MACHINE_ID_FILES): string | undefined {
  for (const file of files) {
    try {
      const id = readFileSync(file, 'utf8').trim();
      if (id) return id;
    } catch {
      // Not there: try the next one.
    }
  }
  return undefined;
}

/** host.name and host.arch as the SDK detects them; host.id only where the machine has one. */
export function hostDetectorWithOptionalId(readId: () => string | undefined = readMachineId): ResourceDetector {
  const machineId = readId();
  return {
    detect(config) {
      const { [ATTR_HOST_ID]: _unread, ...attributes } = hostDetector.detect(config).attributes ?? {};
      return { attributes: machineId ? { ...attributes, [ATTR_HOST_ID]: machineId } : attributes };
    },
  };
}
