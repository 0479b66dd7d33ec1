#!/usr/bin/env bash
# Rebuild examples/samples/ from text with espeak-ng, sox and lame (Debian packages):
#   apt-get install espeak-ng sox libsox-fmt-all lame
# One WAV, one MP3, one OGG, each 12-20 s of one synthetic speaker.
set -euo pipefail
out="$(dirname "$0")/../examples/samples"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

speak() {  # voice, words-per-minute, text, output wav
  espeak-ng -v "$1" -s "$2" -w "$tmp/raw.wav" "$3"
  sox "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$4" norm -3
}

speak en-us 140 "Welcome to the voice catalog. This narrator reads the long chapters, \
calmly and clearly, at an even pace. Every sample should hold one speaker, with no music \
and no noise behind the words, for ten to sixty seconds." "$out/narrator.wav"

speak en-gb 150 "Good evening, and welcome aboard. The doors are closing. Please mind the gap \
between the train and the platform. The next station is the central terminal, where this \
service ends. Thank you for travelling with us tonight." "$tmp/announcer.wav"
lame --quiet -b 48 -m m "$tmp/announcer.wav" "$out/announcer.mp3"

speak en-us+f3 135 "Once upon a time, in a small house at the edge of the forest, there lived \
an old clockmaker who could mend anything at all, except the one clock that stood in his hall." \
"$tmp/storyteller.wav"
sox "$tmp/storyteller.wav" -C 3 "$out/storyteller.ogg"

for f in "$out"/*; do
  printf '%s\t%s bytes\t%s s\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(soxi -D "$f")"
done
