#!/usr/bin/env node
// The CDK app (cdk.json runs it): the OpenCLIO stacks from the deploy config, see README "Deploy on AWS".
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/infra/app.js';
import { DeployConfigError, readDeployConfig } from '../lib/infra/config.js';
import { ViewerBuildError, withBuiltViewer } from '../lib/infra/viewer.js';

const app = new App();
try {
  // The explorer is built here (when missing or stale), not by the constructs: tests
  // synthesize with a prebuilt copy and stay fast.
  buildApp(app, withBuiltViewer(readDeployConfig((key) => app.node.tryGetContext(key))));
} catch (error) {
  // A setup mistake: its message says what to change, a stack trace would bury it.
  if (!(error instanceof DeployConfigError || error instanceof ViewerBuildError)) throw error;
  process.stderr.write(`${error.name}: ${error.message}\n`);
  process.exit(1);
}
