// Runs tools/bench/parts.ts in a process of its own (it sets OpenTelemetry's globals and wraps node:http,
// which the benchmark's own process, the load generator, must not have) and prints its figures as JSON.
// `node tools/bench/parts-main.ts <OTLP gRPC endpoint> <OTLP/HTTP endpoint> [--quick]`
import { measureParts } from './parts.ts';

const [grpc, http, quick] = process.argv.slice(2);
if (!grpc || !http) {
  console.error('usage: node tools/bench/parts-main.ts <OTLP gRPC endpoint> <OTLP/HTTP endpoint> [--quick]');
  process.exit(2);
}
console.log(JSON.stringify(await measureParts({ grpc, http }, quick === '--quick')));
