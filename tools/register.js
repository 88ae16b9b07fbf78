// Runs TypeScript sources directly with swc (decorator metadata included, which Nest's DI needs).
process.env.SWC_NODE_PROJECT ??= require('node:path').join(__dirname, '..', 'tsconfig.base.json');
require('@swc-node/register');
