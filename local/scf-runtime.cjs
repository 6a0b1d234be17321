// One SCF "container": loads a single bundle with plain require(), as SCF's Node.js runtime
// does, then serves invocations sent by the local gateway over IPC. Kept as plain JavaScript so
// it runs on bare node, like the bundles themselves.
'use strict';
const bundle = require(process.argv[2]);

process.on('message', async (message) => {
  const { id, event, context } = message;
  try {
    const result = await bundle.main_handler(event, context);
    process.send({ id, result: result === undefined ? null : result });
  } catch (err) {
    // SCF reports an uncaught error as a failed invocation; the gateway turns it into a 502.
    process.send({ id, error: err?.name ? err.name : 'Error' });
  }
});
process.send({ ready: typeof bundle.main_handler === 'function' });
