#!/usr/bin/env node
// The CDK app (cdk.json runs it): the OpenCLIO stacks from the deploy config, see README "Deploy on AWS".
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/infra/app.js';
import { readDeployConfig } from '../lib/infra/config.js';
import { withBuiltViewer } from '../lib/infra/viewer.js';

const app = new App();
// The explorer is built here (when missing or stale), not by the constructs: tests synthesize
// with a prebuilt copy and stay fast.
buildApp(app, withBuiltViewer(readDeployConfig((key) => app.node.tryGetContext(key))));
