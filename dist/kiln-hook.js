// GitHub's runner runs the program ACTIONS_RUNNER_CONTAINER_HOOKS names with its own node
// (`node /path/to/hook.js`), the input JSON on stdin. This file is that program for kiln: it
// starts `kiln hook` with the same stdin, stdout, stderr and environment, passes on the
// runner's SIGINT/SIGTERM (a cancelled or timed-out job), and exits with kiln's exit code.
//
//   KILN_BIN         the kiln binary (default: `kiln` on PATH)
//   KILN_HOOK_ARGS   more words for `kiln hook`, split on spaces (e.g. "-P node:22=toolbox:latest")
//   KILN_STATE_DIR, KILN_CONFIG, KILN_HOOK_IMAGE_MAP are read by kiln itself.
'use strict';
const { spawn } = require('child_process');

const bin = process.env.KILN_BIN || 'kiln';
const extra = (process.env.KILN_HOOK_ARGS || '').split(' ').filter(w => w !== '');
const child = spawn(bin, ['hook', ...extra], { stdio: 'inherit' });

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => child.kill(sig));
}
child.on('error', err => {
  process.stderr.write(`kiln-hook.js: cannot run ${bin}: ${err.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.exit(code === null ? 128 + (require('os').constants.signals[signal] || 0) : code);
});
