#!/usr/bin/env node
// The installed command. The CLI is TypeScript run through tsx's loader (no build step), so
// `npx open-clio` works straight after `npm ci`; see the README for why.
import { register } from 'tsx/esm/api';

register();
await import('./open-clio.ts');
