#!/bin/sh
# Put Infusion Desk in the applications menu: a .desktop entry and the icon, pointing at
# the bundle folder this script sits in (move the folder first, then run it).
#
#   ./install.sh                 for this account (~/.local/share, ~/.local/bin/desk)
#   sudo ./install.sh --system   for every account on this PC (/usr/share, /usr/local/bin/desk)
#
# The clinic's data and settings are not touched; ./uninstall.sh takes the entry away again.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
desk="$here/desk"
icon="$here/_internal/resources/icons/desk.png"
[ -x "$desk" ] || { echo "install.sh: no desk program in $here" >&2; exit 1; }
[ -f "$icon" ] || { echo "install.sh: no icon at $icon" >&2; exit 1; }

case "${1:-}" in
  --system)
    [ "$(id -u)" -eq 0 ] || { echo "install.sh: --system needs root (sudo)" >&2; exit 1; }
    share=/usr/share; bin=/usr/local/bin ;;
  "")
    share="${XDG_DATA_HOME:-$HOME/.local/share}"; bin="$HOME/.local/bin" ;;
  *)
    echo "usage: install.sh [--system]" >&2; exit 2 ;;
esac

mkdir -p "$share/applications" "$share/icons/hicolor/256x256/apps" "$bin"
sed "s|@DESK@|$desk|g" "$here/infusion-desk.desktop.in" > "$share/applications/infusion-desk.desktop.tmp"
mv "$share/applications/infusion-desk.desktop.tmp" "$share/applications/infusion-desk.desktop"
cp "$icon" "$share/icons/hicolor/256x256/apps/infusion-desk.png"
ln -sf "$desk" "$bin/desk"
# Menus pick the entry up by themselves; refreshing the caches only makes it immediate.
command -v update-desktop-database >/dev/null 2>&1 \
  && update-desktop-database -q "$share/applications" 2>/dev/null || true
command -v gtk-update-icon-cache >/dev/null 2>&1 \
  && gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true
echo "Infusion Desk is in the applications menu; 'desk' in a terminal runs $desk"
