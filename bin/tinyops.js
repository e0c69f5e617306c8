#!/usr/bin/env node
// The CLI is bundled by `npm run build` into dist/cli/index.js (committed, like the actions' dist).
require('../dist/cli/index.js');
