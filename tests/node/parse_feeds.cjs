// Parse each feed file named on the command line with podcast-partytime (Podverse's parser)
// and print {path: parsed feed} as JSON, for tests/test_partytime.py to assert on.
"use strict";
const fs = require("fs");
const { parseFeed } = require("podcast-partytime");

const out = {};
for (const path of process.argv.slice(2)) {
  const feed = parseFeed(fs.readFileSync(path, "utf8"));
  if (feed === null) {
    console.error(`${path}: podcast-partytime could not parse it`);
    process.exit(1);
  }
  delete feed.lastUpdate; // the parse time, not the feed's
  out[path] = feed;
}
process.stdout.write(JSON.stringify(out));
