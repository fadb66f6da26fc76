#!/bin/sh
# The project's test: the generated field list must match the schema.
sort schema.txt | cmp -s - generated/fields.txt
