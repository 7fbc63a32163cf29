// Changelog lines written for plugin teams: each change as its summary (no commit hash in front), and the
// internal dependencies a release moves to as one line, instead of one "Updated dependencies [hash]" a changeset.
// Used by `pnpm version-packages` (changeset version) through config.json's "changelog".

/** @type {import('@changesets/types').GetReleaseLine} */
const getReleaseLine = async (changeset) => {
  const [first, ...rest] = changeset.summary.split('\n').map((line) => line.trimEnd());
  return [`- ${first}`, ...rest.map((line) => (line ? `  ${line}` : ''))].join('\n');
};

/** @type {import('@changesets/types').GetDependencyReleaseLine} */
const getDependencyReleaseLine = async (_changesets, dependenciesUpdated) => {
  if (dependenciesUpdated.length === 0) return '';
  const names = dependenciesUpdated.map((dependency) => `\`${dependency.name}@${dependency.newVersion}\``);
  return `- Depends on ${names.join(', ')}.`;
};

module.exports = { default: { getReleaseLine, getDependencyReleaseLine } };
