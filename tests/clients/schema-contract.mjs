// The API contract guard: compares the schema of the last release with the
// schema in the working tree (GraphQL Inspector's diff) and fails on a breaking
// change unless it removes what the release had already deprecated, or the
// "## Unreleased" section of the changelog records it on a line marked
// **Breaking** that names its path in backquotes (e.g. `ChangeFilter.entity`).
//
// usage: node schema-contract.mjs RELEASED.graphql CURRENT.graphql CHANGELOG.md
// exit 0: no unrecorded breaking change; 1: some (each listed); 2: bad usage.
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { diff, CriticalityLevel } from '@graphql-inspector/core';

const [releasedPath, currentPath, changelogPath] = process.argv.slice(2);
if (!changelogPath) {
  console.error('usage: node schema-contract.mjs RELEASED.graphql CURRENT.graphql CHANGELOG.md');
  process.exit(2);
}

const load = (path) => buildSchema(readFileSync(path, 'utf8'));

/** The bullets of the changelog's Unreleased section that are marked **Breaking**. */
function recordedBreakingChanges(changelog) {
  const start = changelog.search(/^## Unreleased\b/m);
  if (start < 0) return [];
  const rest = changelog.slice(start).split('\n').slice(1);
  const end = rest.findIndex((line) => line.startsWith('## '));
  const section = (end < 0 ? rest : rest.slice(0, end)).join('\n');
  return section.split(/\n(?=- )/).filter((bullet) => bullet.includes('**Breaking**'));
}

/** Whether the released schema deprecated what this change removes. */
const removesDeprecated = (change) =>
  Object.entries(change.meta ?? {}).some(([key, value]) => /Deprecated$/.test(key) && value === true);

const changes = await diff(load(releasedPath), load(currentPath));
const recorded = recordedBreakingChanges(readFileSync(changelogPath, 'utf8'));
let unrecorded = 0;
for (const change of changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking)) {
  const path = change.path ?? '';
  const accepted = removesDeprecated(change)
    ? 'deprecated in the release'
    : recorded.some((bullet) => path && bullet.includes('`' + path + '`'))
      ? 'recorded in the changelog'
      : null;
  if (!accepted) unrecorded += 1;
  console.log(`${accepted ? 'ok  ' : 'FAIL'} ${path}: ${change.message}${accepted ? ` (${accepted})` : ''}`);
}
if (unrecorded > 0) {
  console.log(
    `${unrecorded} breaking change(s) not recorded: deprecate first, or add a bullet marked **Breaking** ` +
      'naming the path in backquotes under "## Unreleased" in CHANGELOG.md',
  );
  process.exit(1);
}
console.log(`schema contract holds: ${changes.length} change(s) since the release, none unrecorded and breaking`);
