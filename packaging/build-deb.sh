#!/usr/bin/env bash
# Builds postern_<version>_amd64.deb with dpkg-buildpackage -b, the version taken from
# packaging/debian/changelog, and checks it with lintian (no error, no warning). debian/ lives in
# packaging/ so that the repository root stays a Swift package: a staging tree gets debian/, the
# man pages, the docs and the example, and debian/rules builds from the repository
# (POSTERN_SRC) into .build-deb. Usage: packaging/build-deb.sh [OUTPUT-DIR]   (default: dist/)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/dist}
version=$(dpkg-parsechangelog -l "$repo/packaging/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
stage=$repo/.build-deb/stage
src=$stage/postern-$version

rm -rf "$stage"
mkdir -p "$src/docs" "$src/examples" "$out"
cp -r "$repo/packaging/debian" "$src/debian"
cp -r "$repo/packaging/man" "$src/man"
cp "$repo/README.md" "$src/"
cp "$repo"/docs/{architecture,aaa,security,events,deployment,performance}.md "$src/docs/"
cp "$repo/packaging/postern.toml" "$src/examples/postern.toml"

export POSTERN_SRC=$repo
export SWIFT=${SWIFT:-$(command -v swift || echo /opt/swift/usr/bin/swift)}
(cd "$src" && dpkg-buildpackage -b -us -uc)

deb=postern_${version}_${arch}.deb
cp "$stage/$deb" "$out/$deb"
for ddeb in "$stage"/postern-dbgsym_"${version}"_"${arch}".*deb; do
    [ -e "$ddeb" ] && cp "$ddeb" "$out/"
done
echo "lintian $out/$deb"
lintian --fail-on error,warning --display-info "$out/$deb"
echo "built $out/$deb"
