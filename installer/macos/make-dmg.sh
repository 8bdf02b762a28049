#!/usr/bin/env bash
# Wraps PyInstaller's dist/InfusionDesk.app (build.spec, on macOS) in a disk image:
# dist/InfusionDesk-<version>.dmg, opening on the app beside a link to /Applications, so
# installing is a drag. macOS only (hdiutil). Sign and notarise the .app before this for
# clinics (docs/installer.md); the image itself is not signed here.
#
#   installer/macos/make-dmg.sh 0.1.0
set -euo pipefail

version=${1:?usage: make-dmg.sh VERSION}
root=$(cd "$(dirname "$0")/../.." && pwd)
app="$root/dist/InfusionDesk.app"
image="$root/dist/InfusionDesk-$version.dmg"
[ -d "$app" ] || { echo "make-dmg: $app is missing: run pyinstaller build.spec first" >&2; exit 1; }

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$image"
hdiutil create -volname "Infusion Desk $version" -srcfolder "$staging" -fs HFS+ \
    -format UDZO -ov "$image"
hdiutil verify "$image"
echo "make-dmg: $image"
