"""lutml: learn a colour grade from footage and ship it as a `.cube` 3D LUT.

Importing this package is cheap: it never imports TensorFlow (only `lutml.models` and
`lutml.train` do), so the LUT tools, the CLI and the web UI start fast.
"""

__version__ = "0.1.0"
