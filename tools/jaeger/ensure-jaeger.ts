// `npm run setup`: makes sure a Jaeger binary is there (building it on first use), then says where.
import { ensureJaeger, JaegerUnavailableError } from './binary.ts';

const started = Date.now();
try {
  const binary = await ensureJaeger(process.env, (line) => console.log(line));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`Jaeger is ready: ${binary} (${seconds} s)`);
} catch (error) {
  console.error(error instanceof JaegerUnavailableError ? error.message : error);
  process.exit(1);
}
