#!/bin/sh
# A stand-in for crontab(1) in tests: the "installed" crontab lives in $FAKE_CRONTAB_FILE.
# FAKE_CRONTAB_LIST_ERROR makes `crontab -l` fail with that message (an unreadable spool).
f="${FAKE_CRONTAB_FILE:?FAKE_CRONTAB_FILE is not set}"
case "$1" in
  -l)
    if [ -n "$FAKE_CRONTAB_LIST_ERROR" ]; then echo "$FAKE_CRONTAB_LIST_ERROR" >&2; exit 1; fi
    if [ -f "$f" ]; then cat "$f"; else echo "no crontab for tester" >&2; exit 1; fi
    ;;
  -r)
    if [ -f "$f" ]; then rm -f "$f"; else echo "no crontab for tester" >&2; exit 1; fi
    ;;
  -*)
    echo "fake crontab: unsupported option $1" >&2
    exit 2
    ;;
  *)
    cat "$1" > "$f"
    ;;
esac
