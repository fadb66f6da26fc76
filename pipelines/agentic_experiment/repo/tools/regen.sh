#!/bin/sh
# The project's own generator: generated/fields.txt is the sorted field list of schema.txt.
set -e
mkdir -p generated
sort schema.txt > generated/fields.txt
