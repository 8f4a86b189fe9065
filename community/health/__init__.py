"""The community health dashboard: figures composed from each app's `figures` selectors, a nightly rollup, charts."""
