import { runAwsScaleBench } from './aws-scale.js';
import { runEmbedSpeedBench } from './embed-speed.js';
import { runEmbedderBench } from './embedders.js';
import { runKmeansBench } from './kmeans.js';
import { runLangSmithScaleBench } from './langsmith-scale.js';
import { runModelCostBench } from './model-costs.js';
import { runOffline100kBench } from './offline-100k.js';
import { runPipelineBench } from './pipeline.js';
import { runRateLimitBench } from './rate-limit.js';
import { runViewerBench } from './viewer.js';

/**
 * `npm run bench [-- pipeline kmeans embedders]`: prints figures; nothing here passes or fails.
 * With no names, all three run (k-means at 100k takes about a minute, the embedder comparison
 * a few minutes).
 */
const benches: Record<string, () => Promise<unknown>> = {
  pipeline: () => runPipelineBench(),
  kmeans: () => runKmeansBench(),
  embedders: () => runEmbedderBench(),
  'embed-speed': () => runEmbedSpeedBench(),
  viewer: () => runViewerBench(),
  'rate-limit': () => runRateLimitBench(),
  'aws-scale': () => runAwsScaleBench(),
  'model-costs': () => runModelCostBench(),
  'langsmith-scale': () => runLangSmithScaleBench(),
  'offline-100k': () => runOffline100kBench(),
};

const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of chosen.length > 0 ? chosen : Object.keys(benches)) {
  const bench = benches[name];
  if (!bench)
    throw new Error(`unknown benchmark "${name}"; choose from ${Object.keys(benches).join(', ')}`);
  await bench();
}
