// What a cluster fault scenario is: like a local one (../scenario.ts), it answers one row per
// expectation, but acts on the one cluster all of them share, in order, through a ClusterContext.
import type { Processes } from '../../local/system.ts';
import type { Row } from '../scenario.ts';
import type { ClusterContext } from './context.ts';

export type { Row } from '../scenario.ts';

export interface ClusterScenario {
  name: string;
  /** `processes`: for a comparison with the local system (stopped by the caller). */
  run(ctx: ClusterContext, processes: Processes): Promise<Row[]>;
}
