"""linklab in the browser: the vendored JS bundles (static/, built from web/ by `python -m linklab.web.build`)."""
