#!/bin/sh
# OpenManager Vibe agent installer (POSIX sh). The dashboard serves it at /install.sh with its own
# address and project filled in below, so one line installs the agent:
#
#   curl -fsSL <dashboard>/install.sh | sudo sh -s -- --token <one-time token>
#
# It detects the architecture, downloads vibe-agent from the same dashboard, checks its sha256,
# installs it (/usr/local/bin as root, ~/.local/bin otherwise), enrolls the host with the token,
# writes and starts a systemd unit (a user unit without root), or prints how to run it where there
# is no systemd. Running it again updates the executable and restarts the agent; it enrolls again
# only with --reenroll. --uninstall removes the executable, unit, config and data.
#
# Options: --token <t>  --name <host name>  --auto-update  --user (install for this user even as
# root)  --reenroll  --uninstall  --help
# Environment: VIBE_DASHBOARD_URL, VIBE_SUPABASE_URL, VIBE_SUPABASE_KEY override what the dashboard
# filled in; INSTALL_ROOT prefixes every path written (a scratch root for tests and image builds);
# VIBE_INSTALL_SYSTEMD=1|0 overrides the systemd detection.
set -eu

DASHBOARD_URL=${VIBE_DASHBOARD_URL:-'@DASHBOARD_URL@'}
SUPABASE_URL=${VIBE_SUPABASE_URL:-'@SUPABASE_URL@'}
SUPABASE_KEY=${VIBE_SUPABASE_KEY:-'@SUPABASE_KEY@'}
ROOT=${INSTALL_ROOT:-}
UNIT=vibe-agent.service

say() { printf 'vibe-agent install: %s\n' "$*"; }
die() {
  printf 'vibe-agent install: %s\n' "$*" >&2
  exit 1
}

TOKEN='' NAME='' UNINSTALL=0 AUTO_UPDATE=0 USER_MODE=0 REENROLL=0
while [ $# -gt 0 ]; do
  case $1 in
  --token) [ $# -ge 2 ] || die '--token needs a value'; TOKEN=$2; shift 2 ;;
  --name) [ $# -ge 2 ] || die '--name needs a value'; NAME=$2; shift 2 ;;
  --auto-update) AUTO_UPDATE=1; shift ;;
  --user) USER_MODE=1; shift ;;
  --reenroll) REENROLL=1; shift ;;
  --uninstall) UNINSTALL=1; shift ;;
  -h | --help)
    echo 'usage: install.sh --token <one-time token> [--name <host name>] [--auto-update] [--user] [--reenroll] | --uninstall'
    exit 0
    ;;
  *) die "unknown option $1 (see --help)" ;;
  esac
done

case $DASHBOARD_URL in http://* | https://*) ;; *) die "no dashboard URL: download this script from your dashboard's /install.sh, or set VIBE_DASHBOARD_URL" ;; esac

if [ "$(id -u)" = 0 ] && [ "$USER_MODE" = 0 ]; then
  BIN_DIR=$ROOT/usr/local/bin
  CONFIG=$ROOT/etc/vibe-agent/config.json
  DATA_DIR=$ROOT/var/lib/vibe-agent
  UNIT_DIR=$ROOT/etc/systemd/system
  SCOPE=''
else
  [ -n "${HOME:-}" ] || die 'HOME is not set'
  BIN_DIR=$ROOT$HOME/.local/bin
  CONFIG=$ROOT$HOME/.config/vibe-agent/config.json
  DATA_DIR=$ROOT$HOME/.local/state/vibe-agent
  UNIT_DIR=$ROOT$HOME/.config/systemd/user
  SCOPE='--user'
fi
BIN=$BIN_DIR/vibe-agent

has_systemd() {
  case ${VIBE_INSTALL_SYSTEMD:-} in
  1) return 0 ;;
  0) return 1 ;;
  esac
  command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]
}
sd() { systemctl $SCOPE "$@"; }

if [ "$UNINSTALL" = 1 ]; then
  if has_systemd && [ -f "$UNIT_DIR/$UNIT" ]; then
    sd disable --now "$UNIT" || true
  fi
  rm -f "$UNIT_DIR/$UNIT" "$BIN"
  if has_systemd; then sd daemon-reload || true; fi
  rm -rf "$(dirname "$CONFIG")" "$DATA_DIR"
  say "removed $BIN, $UNIT_DIR/$UNIT, $(dirname "$CONFIG") and $DATA_DIR (rows still queued there were not sent)"
  exit 0
fi

case $(uname -m) in
x86_64 | amd64) ARCH=x64 ;;
aarch64 | arm64) ARCH=arm64 ;;
*) die "no vibe-agent build for $(uname -m) (x86_64 and aarch64 only)" ;;
esac

fetch() { # fetch URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    die 'neither curl nor wget is installed'
  fi
}
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die 'neither sha256sum nor shasum is installed: cannot check the download'
  fi
}

mkdir -p "$BIN_DIR"
TMP=$BIN_DIR/.vibe-agent.download.$$
trap 'rm -f "$TMP" "$TMP.sha256"' EXIT INT TERM
FILE=vibe-agent-linux-$ARCH
say "downloading $DASHBOARD_URL/agent/$FILE"
fetch "$DASHBOARD_URL/agent/$FILE.sha256" "$TMP.sha256" || die "cannot download $DASHBOARD_URL/agent/$FILE.sha256"
fetch "$DASHBOARD_URL/agent/$FILE" "$TMP" || die "cannot download $DASHBOARD_URL/agent/$FILE"
WANT=$(cut -d' ' -f1 <"$TMP.sha256")
GOT=$(sha256 "$TMP")
[ "$WANT" = "$GOT" ] || die "checksum mismatch for $FILE: expected $WANT, got $GOT; nothing was installed"
chmod 755 "$TMP"
# One rename: a running agent keeps its old file until it restarts; nobody sees half a file.
mv -f "$TMP" "$BIN"
say "installed $BIN ($("$BIN" --version))"

if [ -f "$CONFIG" ] && grep -q '"hostId"' "$CONFIG" && [ "$REENROLL" = 0 ]; then
  say "already enrolled ($CONFIG); pass --reenroll with a new token to enroll again"
else
  [ -n "$TOKEN" ] || die 'missing --token: the one-time enrollment token from the dashboard (Hosts, Add host)'
  set -- enroll --config "$CONFIG" --url "$SUPABASE_URL" --key "$SUPABASE_KEY" --token "$TOKEN" --dashboard "$DASHBOARD_URL"
  [ -z "$NAME" ] || set -- "$@" --name "$NAME"
  [ "$AUTO_UPDATE" = 0 ] || set -- "$@" --auto-update
  "$BIN" "$@"
fi
mkdir -p "$DATA_DIR"

if has_systemd; then
  mkdir -p "$UNIT_DIR"
  if [ -z "$SCOPE" ]; then
    VIBE_AGENT_DATA_DIR=$DATA_DIR "$BIN" install-service --config "$CONFIG" --output "$UNIT_DIR/$UNIT" >/dev/null
  else
    cat >"$UNIT_DIR/$UNIT" <<EOF
[Unit]
Description=OpenManager Vibe host agent
After=network-online.target

[Service]
Type=simple
ExecStart=$BIN run
Environment=VIBE_AGENT_CONFIG=$CONFIG
Environment=VIBE_AGENT_DATA_DIR=$DATA_DIR
Restart=always
RestartSec=5
TimeoutStopSec=20

[Install]
WantedBy=default.target
EOF
  fi
  sd daemon-reload
  sd enable "$UNIT"
  # restart: starts it the first time, and picks up a new executable on a second run.
  sd restart "$UNIT"
  say "started $UNIT; follow it with: journalctl $SCOPE -u $UNIT -f"
  if [ -n "$SCOPE" ]; then say "to keep it running after you log out: loginctl enable-linger $(id -un)"; fi
else
  say 'no systemd here: start the agent with'
  say "  VIBE_AGENT_CONFIG=$CONFIG VIBE_AGENT_DATA_DIR=$DATA_DIR nohup $BIN run >>$DATA_DIR/agent.log 2>&1 &"
fi
