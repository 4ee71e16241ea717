#!/usr/bin/env bash
# npm run test:cdktn: this repository's hermetic tests on CDK Terrain. A scratch copy of the
# committed tree gets `cdktf` as an alias of cdktn and constructs 10.6.0 (cdktn's range), both
# overridden for the prebuilt providers, whose peer range names cdktf ^0.21.0; then it installs,
# type-checks and runs the hermetic tests there. cdktf-cli 0.21 stays the CLI (cdktn-cli needs Node 22.19).
set -euo pipefail
cd "$(dirname "$0")/.."
CDKTN_VERSION="${CDKTN_VERSION:-0.24.0}"
CONSTRUCTS_VERSION="${CDKTN_CONSTRUCTS_VERSION:-10.6.0}"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/cdktf-flux-cdktn-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
git archive HEAD | tar -x -C "$scratch"
cd "$scratch"
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  pkg.devDependencies.cdktf = `npm:cdktn@${process.argv[1]}`;
  pkg.devDependencies.constructs = process.argv[2];
  pkg.overrides = { ...pkg.overrides, cdktf: "$cdktf", constructs: "$constructs" };
  fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n");
' "$CDKTN_VERSION" "$CONSTRUCTS_VERSION"
echo "== install with cdktf = cdktn@$CDKTN_VERSION, constructs@$CONSTRUCTS_VERSION"
npm install --prefer-offline --no-audit --no-fund
node -e 'const p = require("cdktf/package.json"); if (p.name !== "cdktn") throw new Error(`cdktf is ${p.name}`); console.log(`cdktf resolves to ${p.name} ${p.version}`)'
# With arguments, runs them there instead, such as the live suite's deploy scenario:
#   npm run test:cdktn -- npm run test:e2e
if (( $# )); then
  echo "== $* on cdktn"
  exec "$@"
fi
# npm test but test/package/: that packs this library for cdktf and already installs it on cdktn in
# a fresh app, and its API reference is generated against cdktf's declarations.
echo "== npm test on cdktn (without test/package)"
npx tsc --noEmit
npx tsx test/fetch-manifests.ts
node --import tsx --test $(find test -name '*.test.ts' -not -path 'test/e2e/*' -not -path 'test/package/*' | sort)
