import { clusterLevel, clusterLevelInputSchema } from '../lib/pipeline/staged/index.js';
import { stepHandler } from './runtime.js';

/** ClusterLevel: one level of the hierarchy (k-means and naming), called once per level. */
export const handler = stepHandler('cluster-level', clusterLevelInputSchema, clusterLevel);
