// Lets `node -r ./scripts/demo/register-swc.js src/main.ts` run the service from
// source: SWC with the same options as the tests (.swcrc), which — unlike tsx's
// esbuild — emits the decorator metadata Nest's dependency injection reads.
// Used by the demo's fast mode and the tests that run the service as a process.
'use strict';
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');

const options = JSON.parse(readFileSync(join(__dirname, '..', '..', '.swcrc'), 'utf8'));
delete options.$schema;

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    ...options,
    filename,
    swcrc: false,
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

// Generated code (the Prisma client under node16 resolution) imports './x.js' for
// a file that exists only as './x.ts' until it is compiled.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveTypeScript(request, parent, ...rest) {
  try {
    return resolveFilename.call(this, request, parent, ...rest);
  } catch (error) {
    if (!/^\.\.?\/.*\.js$/.test(request)) throw error;
    return resolveFilename.call(this, request.replace(/\.js$/, '.ts'), parent, ...rest);
  }
};
