import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { DEFAULT_THRESHOLDS } from '../lib/compare/compare.js';
import type { StagedDeps } from '../lib/pipeline/staged/index.js';
import { alertMessage, alertSubject, type TrendAlert } from '../lib/trends/alerts.js';
import { ENV } from './contract.js';
import { jsonEnv, optionalEnv } from './env.js';

type Env = Record<string, string | undefined>;

const thresholdsSchema = z.object({
  minPoints: z.number().nonnegative().default(DEFAULT_THRESHOLDS.minPoints),
  minRatio: z.number().min(1).default(DEFAULT_THRESHOLDS.minRatio),
});

/** Clusters listed in one message: an email, not a report (SNS takes up to 256 KB). */
const MAX_LISTED = 40;

/** `configs/support.json` → `support`: how an operator names the config. */
const configName = (configKey: string | undefined) =>
  (configKey ?? 'run').replace(/^configs\//, '').replace(/\.json$/i, '');

/**
 * Trend alerts published to the deployment's SNS topic, when the stack made one: a subject an
 * email client shows whole, and a body that links each cluster in the explorer.
 */
export function snsTrendAlerts(env: Env, sns: SNSClient): StagedDeps['trendAlerts'] {
  const TopicArn = optionalEnv(ENV.trendTopicArn, env);
  if (!TopicArn) return undefined;
  const thresholds = jsonEnv(ENV.trendThresholds, thresholdsSchema, env) ?? DEFAULT_THRESHOLDS;
  const explorerUrl = optionalEnv(ENV.explorerUrl, env);
  return {
    thresholds,
    send: async (alert: TrendAlert, run) => {
      const listed = { ...alert, clusters: alert.clusters.slice(0, MAX_LISTED) };
      const more = alert.clusters.length - listed.clusters.length;
      await sns.send(
        new PublishCommand({
          TopicArn,
          Subject: alertSubject(alert, configName(run.configKey)),
          Message:
            alertMessage(listed, explorerUrl) +
            (more > 0 ? `\n… and ${more} more; see the Trends view.` : ''),
        }),
      );
    },
  };
}
