#!/bin/sh
# A stand-in for xdg-open(1) in tests: records what it was asked to open.
echo "$1" >> "${FAKE_XDG_OPEN_LOG:?FAKE_XDG_OPEN_LOG is not set}"
