#!/usr/bin/env node
// The `ovop` command: runs client/cli.ts through tsx, so `npx ovop` works right after npm install, with no build step.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../client/cli.ts', import.meta.url).href);
