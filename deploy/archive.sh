#!/bin/sh
# After `govpulse load INCOMING` succeeded, move what it loaded into the archive (docs/deploy.md, section 5):
#   deploy/archive.sh INCOMING ARCHIVE STAMP
# The files the loader reads at the top of INCOMING (.csv, .tsv, .txt, .xlsx, .xlsm in any case; not *.rejected.csv,
# nor the lock file ~$NAME.xlsx of an open workbook) go to ARCHIVE/YYYY-MM-DD/HHMMSS-xxxxxx, a folder of this run:
# a file delivered twice a day keeps both versions, and `govpulse load ARCHIVE/…` loads them again in their order.
# A file that arrived or changed after STAMP was touched (just before the load) may not have been loaded: it stays
# for the next run.
set -eu
incoming=$1
archive=$2
since=$3
day="$archive/$(date +%F)"
mkdir -p "$day"
run=$(mktemp -d "$day/$(date +%H%M%S)-XXXXXX")
find "$incoming" -maxdepth 1 -type f \
    \( -iname '*.csv' -o -iname '*.tsv' -o -iname '*.txt' -o -iname '*.xlsx' -o -iname '*.xlsm' \) \
    ! -iname '*.rejected.csv' ! -name '~$*' ! -cnewer "$since" -exec mv -t "$run" {} +
# A run with nothing to archive leaves no folder.
rmdir "$run" 2>/dev/null && rmdir "$day" 2>/dev/null || true
