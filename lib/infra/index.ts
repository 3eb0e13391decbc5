export { CLOUDFRONT_WAF_REGION, ExplorerAclStack, ExplorerWebAcl, parseCidrs } from './access.js';
export { PipelineAlarms, type PipelineAlarmsProps } from './alarms.js';
export { buildApp, type OpenClioApp } from './app.js';
export {
  type DeployConfig,
  DeployConfigError,
  deployConfigSchema,
  parseDeployConfig,
  readDeployConfig,
} from './config.js';
export { DataKey, type DataKeyProps, EncryptLogGroups } from './encryption.js';
export { ClioFunctions, type ClioFunctionsProps, STEPS, type StepName } from './functions.js';
export { DEFAULT_BEDROCK_MODELS } from './grants.js';
export { ClioPipeline, type ClioPipelineProps, type PipelineFunctions } from './pipeline.js';
export {
  type RunScheduleSpec,
  RunSchedules,
  type RunSchedulesProps,
} from './schedules.js';
export { API_KEYS, type ApiKeyName, ClioSecrets, type ClioSecretsProps } from './secrets.js';
export {
  DEFAULT_CONTENT_SECURITY_POLICY,
  type ExplorerAccess,
  type ExplorerDomain,
  ExplorerSite,
  type ExplorerSiteProps,
} from './site.js';
export { OpenClioStack, type OpenClioStackProps } from './stack.js';
export { ClioStorage, type ClioStorageProps, secureBucket } from './storage.js';
export { ClioTable, type ClioTableProps } from './table.js';
export { TrendAlerts, type TrendAlertsProps } from './trend-alerts.js';
export { ConfigUploadTrigger, type ConfigUploadTriggerProps } from './triggers.js';
export {
  DEFAULT_VIEWER_DIST,
  ensureViewerBuilt,
  ViewerBuildError,
  viewerBuildState,
  withBuiltViewer,
} from './viewer.js';
