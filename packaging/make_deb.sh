#!/usr/bin/env bash
# Wrap a built bundle into a .deb:  packaging/make_deb.sh dist/emotune
# Installs the bundle under /opt/emotune, /usr/bin/emotune, the .desktop entry and the icon.
# Uninstall: apt-get remove emotune (dpkg removes every file it installed; user settings in
# ~/.config/emotune and weights in ~/.local/share/emotune are the user's and stay).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUNDLE=$(cd "$1" && pwd)
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/pyproject.toml" | head -1)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
         "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/icons/hicolor/64x64/apps"
cp -a "$BUNDLE" "$STAGE/opt/emotune"
ln -s /opt/emotune/emotune "$STAGE/usr/bin/emotune"
install -m 644 "$ROOT/packaging/emotune.desktop" "$STAGE/usr/share/applications/emotune.desktop"
install -m 644 "$ROOT/assets/icons/emotune.png" "$STAGE/usr/share/icons/hicolor/256x256/apps/emotune.png"
install -m 644 "$ROOT/assets/icons/emotune-64.png" "$STAGE/usr/share/icons/hicolor/64x64/apps/emotune.png"
SIZE=$(du -sk "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: emotune
Version: $VERSION
Section: sound
Priority: optional
Architecture: amd64
Installed-Size: $SIZE
Depends: libc6, libegl1, libgl1, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libfontconfig1, libdbus-1-3
Maintainer: Emotune developers <emotune@example.org>
Description: plays music that matches your facial expression
 Emotune reads your facial expression from the webcam with DeepFace and plays
 the playlist of the matching mood from your own music folders.
CONTROL
mkdir -p "$ROOT/dist"
OUT="$ROOT/dist/emotune_${VERSION}_amd64.deb"
fakeroot dpkg-deb --build -Zgzip "$STAGE" "$OUT" >/dev/null
echo "$OUT"
