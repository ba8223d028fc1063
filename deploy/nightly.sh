#!/bin/sh
# The nightly collection of deploy/compose.yaml: every night at $COLLECT_AT (the container's local time, UTC unless
# TZ is set), `govpulse collect PLATFORM --load` for each of $COLLECT_PLATFORMS, one after the other; a platform
# that fails (its token missing or refused, pages skipped) is named in the log and the next one runs.
set -u
at=${COLLECT_AT:-02:30}
platforms=${COLLECT_PLATFORMS:-vk ok max telegram youtube instagram x}
date -d "$at" >/dev/null 2>&1 || { echo "COLLECT_AT=$at is not a time of day (HH:MM)"; exit 2; }
# `docker stop` ends the wait at once: the sleep runs in the background so that the shell hears the signal, and
# goes with it.
trap 'kill $! 2>/dev/null; exit 0' TERM INT
while :; do
    now=$(date +%s)
    next=$(date -d "$at" +%s)
    [ "$next" -gt "$now" ] || next=$(date -d "tomorrow $at" +%s)
    echo "next collection: $(date -d "@$next" '+%F %R %Z') ($platforms)"
    sleep $((next - now)) &
    wait $!
    for platform in $platforms; do
        govpulse collect "$platform" --load || echo "govpulse collect $platform: exit status $?"
    done
done
