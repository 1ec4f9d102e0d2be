// One Lambda execution environment: runs on the Node.js major of the function's
// runtime (started by local/functions/workers.ts with that binary), imports the function's
// code once (the init phase), then answers one invocation at a time over IPC.
// Plain ESM JavaScript because it runs on a Node that has no TypeScript loader.
//
// argv: <code directory> <Handler setting, e.g. index.handler>
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [codeDirectory, handlerSetting] = process.argv.slice(2);

// The runtime that started this environment is gone: so is the environment.
process.on('disconnect', () => process.exit(0));

class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

/** Resolves the Handler setting as Lambda's Node.js runtime does: `<dir/>module.export[.nested]`. */
async function loadHandler() {
  const match = /^([^.]*)\.(.+)$/.exec(path.basename(handlerSetting ?? ''));
  if (!match) throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerSetting}`);
  const [, moduleName, exportPath] = match;
  const moduleBase = path.resolve(codeDirectory, path.dirname(handlerSetting), moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((extension) => moduleBase + extension).find((candidate) => existsSync(candidate));
  if (!file) throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'`);
  const namespace = await import(pathToFileURL(file).href);
  const walk = (root) => exportPath.split('.').reduce((value, key) => (value == null ? undefined : value[key]), root);
  // A CommonJS module imported from ESM keeps its exports on `default`.
  const handler = walk(namespace) ?? walk(namespace.default);
  if (typeof handler !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerSetting} is undefined or not exported`);
  }
  return handler;
}

function errorFields(error) {
  if (error instanceof Error) {
    return { errorType: error.name || 'Error', errorMessage: error.message, trace: String(error.stack ?? '').split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function lambdaContext(context) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    awsRequestId: context.awsRequestId,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, context.deadlineMs - Date.now()),
  };
}

function call(handler, event, context) {
  // A callback-style handler (three parameters) answers through the callback; any other returns a promise or a value.
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const returned = handler(event, context, (error, result) => (error ? reject(error) : resolve(result)));
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    });
  }
  return handler(event, context);
}

let handler;
try {
  const started = performance.now();
  handler = await loadHandler();
  process.send({ type: 'ready', initMs: performance.now() - started });
} catch (error) {
  const fields = errorFields(error);
  console.error(JSON.stringify({ level: 'ERROR', message: 'Init Error', ...fields }));
  process.send({ type: 'init-error', ...fields }, () => process.exit(1));
}

process.on('message', async (message) => {
  if (!handler || message?.type !== 'invoke') return;
  const { id, event, context } = message;
  // Lambda sets the trace header of the current invocation in the environment.
  process.env._X_AMZN_TRACE_ID = context.traceId ?? '';
  try {
    const result = await call(handler, event, lambdaContext(context));
    let payload;
    try {
      payload = JSON.stringify(result === undefined ? null : result);
    } catch (error) {
      process.send({ type: 'error', id, errorType: 'Runtime.MarshalError', errorMessage: `Unable to marshal response: ${error.message}` });
      return;
    }
    process.send({ type: 'result', id, payload });
  } catch (error) {
    const fields = errorFields(error);
    console.error(JSON.stringify({ level: 'ERROR', message: 'Invoke Error', requestId: context.awsRequestId, ...fields }));
    process.send({ type: 'error', id, ...fields });
  }
});
