#!/usr/bin/env node
// The CDK app (cdk.json runs it): the OpenCLIO stacks from the deploy config, see README "Deploy on AWS".
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/infra/app.js';
import { readDeployConfig } from '../lib/infra/config.js';

const app = new App();
buildApp(
  app,
  readDeployConfig((key) => app.node.tryGetContext(key)),
);
