#!/usr/bin/env bash
# Installs pipelitd as a systemd service: the jar, the unit, a dedicated user and its data folder.
#
#   scripts/install-systemd.sh [--dry-run] [--prefix DIR] [--data DIR] [--user NAME]
#
#   --dry-run      print every step without doing anything (no root needed)
#   --prefix DIR   where the jar goes (default /opt/pipelitd)
#   --data DIR     the working directory: platform/db.sqlite3, .env, backups (default /var/lib/pipelitd)
#   --user NAME    the system user that runs the daemon (default pipelitd)
#
# Run it as root from a checkout; it builds the jar first when needed (through scripts/pipelitd).
# Re-running it upgrades the jar and the unit and keeps the data and .env untouched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
PREFIX=/opt/pipelitd
DATA=/var/lib/pipelitd
RUN_AS=pipelitd
DRY_RUN=0
UNIT_DIR=/etc/systemd/system

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --prefix) PREFIX="${2:?--prefix needs a folder}"; shift ;;
    --data) DATA="${2:?--data needs a folder}"; shift ;;
    --user) RUN_AS="${2:?--user needs a name}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-systemd.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case "$PREFIX$DATA" in *[[:space:]]*) echo "install-systemd.sh: folders must not contain spaces" >&2; exit 2 ;; esac

step() {
  echo "+ $*"
  if [ "$DRY_RUN" = 0 ]; then
    "$@"
  fi
}

if [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "install-systemd.sh: run as root (or with --dry-run to see the steps)" >&2
  exit 1
fi

JAR="$ROOT/launcher/target/pipelitd.jar"
if [ ! -f "$JAR" ] || [ "$DRY_RUN" = 0 ]; then
  # The wrapper builds the jar when it is missing or older than the sources, then prints the version.
  step "$ROOT/scripts/pipelitd" --version
fi

if ! id -u "$RUN_AS" >/dev/null 2>&1; then
  step useradd --system --home-dir "$DATA" --shell /usr/sbin/nologin --user-group "$RUN_AS"
fi
step install -d -m 0755 "$PREFIX"
step install -m 0644 "$JAR" "$PREFIX/pipelitd.jar"
# The class-data archive of the installed jar for the unit's /usr/bin/java (faster starts; the JVM ignores
# it silently if java is upgraded: re-run this script then). Not fatal: the service starts without it.
step "$ROOT/scripts/cds-archive" "$PREFIX/pipelitd.jar" "$PREFIX/pipelitd.jsa" /usr/bin/java ||
  echo "install-systemd.sh: warning: no class-data archive; pipelitd will start a little slower" >&2
step install -m 0644 "$ROOT/README.md" "$PREFIX/README.md"
step install -d -m 0750 -o "$RUN_AS" -g "$RUN_AS" "$DATA"
if [ ! -e "$DATA/.env" ]; then
  step install -m 0600 -o "$RUN_AS" -g "$RUN_AS" "$ROOT/conf/.env.example" "$DATA/.env"
fi

UNIT="$(sed -e "s#/opt/pipelitd#$PREFIX#g" -e "s#/var/lib/pipelitd#$DATA#g" \
  -e "s#^User=pipelitd#User=$RUN_AS#" -e "s#^Group=pipelitd#Group=$RUN_AS#" "$ROOT/conf/pipelitd.service")"
echo "+ write $UNIT_DIR/pipelitd.service"
if [ "$DRY_RUN" = 1 ]; then
  echo "$UNIT" | sed 's/^/    /'
else
  printf '%s\n' "$UNIT" > "$UNIT_DIR/pipelitd.service"
  chmod 0644 "$UNIT_DIR/pipelitd.service"
fi
if command -v systemd-analyze >/dev/null 2>&1 && [ "$DRY_RUN" = 0 ]; then
  step systemd-analyze verify "$UNIT_DIR/pipelitd.service"
fi
if command -v systemctl >/dev/null 2>&1; then
  step systemctl daemon-reload
  step systemctl enable pipelitd.service
  echo "Installed. Edit $DATA/.env (DATABASE_URL, ...), then: systemctl start pipelitd"
  echo "Create the first admin: cd $DATA && sudo -u $RUN_AS java -jar $PREFIX/pipelitd.jar setup --username admin --password-stdin"
else
  echo "systemctl not found: the unit is written; enable it when systemd runs here."
fi
