import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { detectResources } from '@opentelemetry/resources';
import test from 'ava';
import { hostDetectorWithOptionalId, readMachineId } from '../../functions/backend/src/lib/host-detector.ts';
import { captureDiagWarnings } from '../helpers/tracing.ts';

/** Detects a resource with the detector and answers its attributes and every warning the SDK logged. */
async function detect(machineId: string | undefined) {
  const warnings = captureDiagWarnings();
  try {
    const resource = detectResources({ detectors: [hostDetectorWithOptionalId(() => machineId)] });
    await resource.waitForAsyncAttributes?.();
    return { attributes: resource.attributes, warnings };
  } finally {
    diag.disable();
  }
}

test.serial('without a machine id, host.id is left out and nothing is warned', async (t) => {
  const { attributes, warnings } = await detect(undefined);
  t.false('host.id' in attributes);
  t.is(typeof attributes['host.name'], 'string');
  t.is(typeof attributes['host.arch'], 'string');
  t.deepEqual(warnings, []);
});

test.serial('with a machine id, host.id is that id', async (t) => {
  const { attributes, warnings } = await detect('0123456789abcdef');
  t.is(attributes['host.id'], '0123456789abcdef');
  t.deepEqual(warnings, []);
});

test('the machine id is the first file that holds one; none when no file does', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'machine-id-'));
  t.teardown(() => rm(folder, { recursive: true, force: true }));
  const [empty, filled, missing] = ['empty', 'filled', 'missing'].map((name) => join(folder, name));
  await writeFile(empty ?? '', '\n');
  await writeFile(filled ?? '', 'abc123\n');
  t.is(readMachineId([missing ?? '', empty ?? '', filled ?? '']), 'abc123');
  t.is(readMachineId([missing ?? '', empty ?? '']), undefined);
});
