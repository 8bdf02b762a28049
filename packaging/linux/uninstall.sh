#!/bin/sh
# Take Infusion Desk out of the applications menu (what install.sh put there).
#
#   ./uninstall.sh                 for this account
#   sudo ./uninstall.sh --system   for every account on this PC
#
# The clinic's data is kept: the database, settings and logs stay where they are (the
# folders are printed below), and so does this bundle folder: delete it by hand if wanted.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
case "${1:-}" in
  --system)
    [ "$(id -u)" -eq 0 ] || { echo "uninstall.sh: --system needs root (sudo)" >&2; exit 1; }
    share=/usr/share; bin=/usr/local/bin ;;
  "")
    share="${XDG_DATA_HOME:-$HOME/.local/share}"; bin="$HOME/.local/bin" ;;
  *)
    echo "usage: uninstall.sh [--system]" >&2; exit 2 ;;
esac

rm -f "$share/applications/infusion-desk.desktop" \
      "$share/icons/hicolor/256x256/apps/infusion-desk.png"
# Only our own link: a 'desk' that points elsewhere is somebody else's.
if [ -L "$bin/desk" ] && [ "$(readlink "$bin/desk")" = "$here/desk" ]; then
  rm -f "$bin/desk"
fi
echo "Infusion Desk is out of the applications menu. Kept: the clinic's data and settings"
echo "  ($("$here/desk" --version --verbose 2>/dev/null | sed -n 's/^data folder: //p' || true))"
