// Failures' messages and stack traces travel in `encodedAttributes`, a payload, so the payload codec encrypts them
// like every other payload (common/payload-codec.ts); without a codec they are plain JSON there, and every Temporal
// client puts them back. Plain CommonJS on purpose: the SDK require()s this file in the worker's and the client's
// process (under node, tsx and vitest alike) and bundles it into the workflow code (build/workflow-bundle.ts).
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
