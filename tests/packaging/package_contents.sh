#!/usr/bin/env bash
# Issue 7: CPack builds the .deb, and it holds what a desktop install needs: both programs in
# /usr/bin, the .desktop entry, the SVG icon, AppStream metainfo, the graft-cli man page, and
# computed dependencies. lintian (when installed) must report no errors.
set -euo pipefail
bin=${GRAFT_BINARY_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cpack -G DEB --config "$bin/CPackConfig.cmake" -B "$work" > "$work/cpack.log" 2>&1 \
    || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/*.deb)
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$work/files"
fail=0
for f in /usr/bin/graft /usr/bin/graft-cli \
         /usr/share/applications/io.github.graft.Graft.desktop \
         /usr/share/icons/hicolor/scalable/apps/io.github.graft.Graft.svg \
         /usr/share/metainfo/io.github.graft.Graft.metainfo.xml \
         /usr/share/man/man1/graft-cli.1.gz; do
    if grep -qx "$f" "$work/files"; then echo "ok   $f"; else echo "MISSING $f"; fail=1; fi
done
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for d in libtorch libopencv-imgcodec libqt6widgets6 libopenblas0-openmp libqt6svg6 qt6-qpa-plugins; do
    case "$depends" in *"$d"*) ;; *) echo "dependency missing: $d"; fail=1 ;; esac
done
# The desktop entry launches the installed program and names the installed icon.
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/applications/io.github.graft.Graft.desktop > "$work/desktop"
grep -q '^Exec=graft' "$work/desktop" || { echo "desktop Exec is not graft"; fail=1; }
grep -q '^Icon=io.github.graft.Graft$' "$work/desktop" || { echo "desktop Icon does not match"; fail=1; }
if command -v lintian > /dev/null; then
    if lintian --no-tag-display-limit "$deb" > "$work/lintian" 2>&1; then :; fi
    cat "$work/lintian"
    if grep -q '^E:' "$work/lintian"; then echo "lintian reports errors"; fail=1; fi
else
    echo "lintian not installed: its check was not run"
fi
exit $fail
