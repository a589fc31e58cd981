#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'out', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('smime-admin: not built yet; run "npm run build" in ' + path.dirname(__dirname) + '\n');
  process.exit(1);
}
require(cli).main();
