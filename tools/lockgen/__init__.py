"""Synthetic thumb-turn lock scenes for training and checking lock classifiers.

The package renders 1920x1080 camera stills of a door with a thumb-turn lock
(day colour or infrared-night grayscale) and cuts the watcher's crop from them.

Modules:

* ``hashnoise``  counter-based random numbers: the same value for the same
                 pixel whatever window is rendered.
* ``params``     what a still shows: the installation (``Scene``: door, lock,
                 camera pose, lens) and the moment (``Shot``: state, light, noise,
                 occluder, JPEG quality), sampled from a seed.
* ``render``     renders any window of the still; full stills and crops-only
                 output come from the same code, so a crop rendered alone is
                 pixel-identical to the same box cut from the full still.
* ``crops``      decodes stills and crops into model input (BGR float 0-255) and
                 lists training folders (``open/``, ``close/``; ``unsure/`` ignored).
"""
