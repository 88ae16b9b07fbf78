#!/bin/sh
# Assembles what the image ships into DIR: dist/ (the services and their libraries compiled by
# `npm run build`) and node_modules/ (production dependencies only). deploy/Dockerfile runs it,
# and so does the deploy check's image test, which then starts a service from DIR with node.
#   sh deploy/assemble-image.sh DIR
set -eu
out=${1:?usage: assemble-image.sh DIR}
root=$(pwd)
mkdir -p "$out"
node tools/build.js --out "$out/dist"
# npm ci needs the workspaces' manifests to read the lockfile; their links are removed after,
# since dist/node_modules/@homeline serves those packages compiled.
cp package.json package-lock.json "$out/"
for manifest in libs/*/package.json services/*/package.json tools/*/package.json; do
  mkdir -p "$out/$(dirname "$manifest")"
  cp "$manifest" "$out/$manifest"
done
(cd "$out" && npm ci --omit=dev --no-audit --no-fund --ignore-scripts --loglevel=error)
# Scripts stay off, so the root's postinstall (patch-package) is run here by hand: the image's
# dependencies are patched as the repository's are (patches/; kafkajs's wake-ups among them).
cp -R patches "$out/patches"
(cd "$out" && node "$root/node_modules/patch-package/index.js" --error-on-fail >/dev/null)
rm -rf "$out/node_modules/@homeline" "$out/libs" "$out/services" "$out/tools" "$out/patches" "$out/package.json" "$out/package-lock.json"
