// `node -r ./bench/support/swc-register.js file.ts`: loads TypeScript with SWC and the
// repository's .swcrc, the compiler the tests use. Benchmarks that boot the service
// need it: tsx's esbuild emits no decorator metadata, which Nest's injection reads.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');

const { $schema: _schema, ...options } = JSON.parse(readFileSync(join(__dirname, '..', '..', '.swcrc'), 'utf8'));

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...options, filename, swcrc: false, sourceMaps: 'inline' });
  module._compile(code, filename);
};

// The generated Prisma client imports its siblings as './x.js' (ESM style); from source
// those are .ts files. Resolve such a relative import to the .ts file when no .js exists.
const Module = require('node:module');
const { existsSync } = require('node:fs');
const { dirname, resolve } = require('node:path');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveTypeScriptSibling(request, parent, ...rest) {
  if (parent && /^\.\.?\//.test(request) && request.endsWith('.js')) {
    const candidate = resolve(dirname(parent.filename), `${request.slice(0, -3)}.ts`);
    if (!existsSync(resolve(dirname(parent.filename), request)) && existsSync(candidate)) return candidate;
  }
  return resolveFilename.call(this, request, parent, ...rest);
};
