#!/bin/sh
# A stand-in for systemctl(1) in tests. FAKE_SYSTEMCTL_MODE=fail (the default) behaves like a
# machine without a systemd user manager; "ok" appends each call to $FAKE_SYSTEMCTL_LOG and
# succeeds.
if [ "${FAKE_SYSTEMCTL_MODE:-fail}" = fail ]; then
  echo "Failed to connect to bus: No medium found" >&2
  exit 1
fi
echo "$*" >> "${FAKE_SYSTEMCTL_LOG:?FAKE_SYSTEMCTL_LOG is not set}"
