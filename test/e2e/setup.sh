#!/usr/bin/env bash
# Installs a real VS Code host for the end-to-end suite: code-server 4.100.3 (VS Code 1.100.3,
# runs on Node 20) under .cache/code-server/, plus Debian Chromium for playwright-core.
# Idempotent: a finished install is detected by a marker file and skipped.
# See docs/extension.md ("End-to-end tests") for why not @vscode/test-electron.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
DEST="$ROOT/.cache/code-server"
MARKER="$DEST/.installed-4.100.3"

# System packages (Chromium for the browser side, libkrb5-dev/pkg-config for code-server's
# native modules, ripgrep because code-server's postinstall would download it from GitHub).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
[ -e /usr/include/krb5.h ] || [ -e /usr/include/krb5/krb5.h ] || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[setup:e2e] apt-get install ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "[setup:e2e] missing system packages: ${need[*]} (install them as root: apt-get install -y ${need[*]})" >&2
    exit 1
  fi
fi

if [ -f "$MARKER" ]; then
  echo "[setup:e2e] code-server 4.100.3 already installed in $DEST"
  exit 0
fi

rm -rf "$DEST"
mkdir -p "$DEST"
cd "$DEST"
export ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip
npm_flags=(--no-audit --no-fund --loglevel=error)
echo '{"name":"prompt-lens-e2e-host","private":true}' > package.json
echo "[setup:e2e] npm install code-server@4.100.3"
npm install "${npm_flags[@]}" --ignore-scripts code-server@4.100.3
npm rebuild "${npm_flags[@]}" argon2

VS="$DEST/node_modules/code-server/lib/vscode"
cd "$VS"
echo "[setup:e2e] installing VS Code server dependencies"
npm install "${npm_flags[@]}" --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm_config_yes=true npm rebuild "${npm_flags[@]}"
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install "${npm_flags[@]}" --omit=dev)

touch "$MARKER"
echo "[setup:e2e] done: $DEST/node_modules/.bin/code-server"
