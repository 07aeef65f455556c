// A model reader in its own OS process, as an inference function on another host would be: it resolves `current`
// and reads every file of the version it points to, over and over, on the real clock, until the stop file appears
// (or the deadline passes), then writes what it saw as JSON.
//
//   node reader-process.js <root> <versions.json> <stop file> <result file> <deadline ms since epoch>
//
// versions.json: [{ "<path>": "<sha256>", ... }, ...], the complete versions. A read is good when the files it read
// are exactly one of them; anything else is a partial or mixed model.
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readlinkSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const [root, versionsFile, stopFile, resultFile, deadline] = process.argv.slice(2);
const versions = JSON.parse(readFileSync(versionsFile, 'utf8'));
const paths = Object.keys(versions[0]);
const result = { good: 0, bad: [], vanished: 0, noPointer: 0 };

while (!existsSync(stopFile) && Date.now() < Number(deadline)) {
  let target;
  try {
    target = readlinkSync(join(root, 'current'));
  } catch {
    result.noPointer++;
    continue;
  }
  try {
    const seen = Object.fromEntries(paths.map((p) => [p, createHash('sha256').update(readFileSync(join(root, target, p))).digest('hex')]));
    if (versions.some((v) => paths.every((p) => v[p] === seen[p]))) result.good++;
    else if (result.bad.length < 20) result.bad.push({ target, seen });
  } catch (error) {
    // Pruned between resolving the pointer and reading: the reader resolves again (the handler keeps its loaded model).
    if (error.code === 'ENOENT') result.vanished++;
    else throw error;
  }
}
writeFileSync(resultFile, JSON.stringify(result));
