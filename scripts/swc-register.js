// `node -r ./scripts/swc-register.js file.ts` runs TypeScript from source, for the demo's fast
// mode, the tests that run the service as a process, and the benchmarks: SWC with the
// repository's .swcrc, the compiler the tests use — tsx's esbuild emits no decorator metadata,
// which Nest's injection reads. With DISPATCH_TEST_OWNER_PID set, the process also dies with
// the test process that started it, so a crashed Jest worker leaves no service running.
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { tmpdir } = require('node:os');
const { dirname, join, resolve } = require('node:path');
const { transformSync } = require('@swc/core');

const swcrc = readFileSync(join(__dirname, '..', '.swcrc'), 'utf8');
const { $schema: _schema, ...options } = JSON.parse(swcrc);

// Every restart compiles the same ~150 files; a content-addressed cache makes restarts cheap.
const cacheDir = join(tmpdir(), 'dispatch-service-swc-cache');
mkdirSync(cacheDir, { recursive: true });

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = readFileSync(filename, 'utf8');
  const key = createHash('sha1').update(swcrc).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = join(cacheDir, `${key}.js`);
  let code;
  if (existsSync(cached)) {
    code = readFileSync(cached, 'utf8');
  } else {
    code = transformSync(source, { ...options, filename, swcrc: false, sourceMaps: 'inline' }).code;
    writeFileSync(`${cached}.${process.pid}`, code);
    renameSync(`${cached}.${process.pid}`, cached);
  }
  module._compile(code, filename);
};

// The generated Prisma client imports its siblings as './x.js'; from source those are .ts files.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveTypeScriptSibling(request, parent, ...rest) {
  if (parent && /^\.\.?\//.test(request) && request.endsWith('.js')) {
    const candidate = resolve(dirname(parent.filename), `${request.slice(0, -3)}.ts`);
    if (!existsSync(resolve(dirname(parent.filename), request)) && existsSync(candidate)) return candidate;
  }
  return resolveFilename.call(this, request, parent, ...rest);
};

const owner = Number(process.env.DISPATCH_TEST_OWNER_PID);
if (Number.isInteger(owner) && owner > 0) {
  setInterval(() => {
    try {
      process.kill(owner, 0);
    } catch {
      process.kill(process.pid, 'SIGKILL');
    }
  }, 1000).unref();
}
