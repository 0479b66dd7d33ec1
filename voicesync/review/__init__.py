"""``voicesync review``: one self-contained HTML page to hear and see a change before it is
applied. :mod:`.page` renders (values in, HTML out); :mod:`.build` gathers the values (the plan,
the samples and their measures, the previous samples from git, previews) and writes the page
and its audio folder; :mod:`.waveform` draws a sample as SVG."""
