"""linklab in the browser: the vendored JS bundles (static/, built from web/ by `python -m linklab.web.build`,
found through assets.py), the interactive picture page (picture.html) and the guide Neo4j Browser plays
(browser-guide.html)."""
