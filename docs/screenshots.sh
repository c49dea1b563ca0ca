#!/bin/sh
# Takes screenshots of the Graft workbench under Xvfb: `docs/screenshots.sh [build-dir] [out-dir]`.
# Needs xvfb-run and ImageMagick's `import`. Each panel is shown with Ctrl+1..Ctrl+6 (xdotool)
# when xdotool is installed; otherwise only the start screen is captured.
set -eu
build=${1:-build}
out=${2:-docs/screenshots}
app="$build/app/graft"
[ -x "$app" ] || { echo "no $app: build the graft target first" >&2; exit 1; }
mkdir -p "$out"

cat > "$out/.shoot.sh" <<'INNER'
#!/bin/sh
set -eu
app=$1; out=$2
"$app" &
pid=$!
sleep 6
if command -v xdotool >/dev/null 2>&1; then
    i=1
    for name in data model train evaluate predict export; do
        xdotool search --sync --onlyvisible --name Graft windowactivate --sync key "ctrl+$i" || true
        sleep 1
        import -window root "$out/$name.png"
        i=$((i + 1))
    done
else
    import -window root "$out/start.png"
fi
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
INNER
chmod +x "$out/.shoot.sh"
xvfb-run -a -s "-screen 0 1400x900x24" "$out/.shoot.sh" "$app" "$out"
rm -f "$out/.shoot.sh"
ls -l "$out"
